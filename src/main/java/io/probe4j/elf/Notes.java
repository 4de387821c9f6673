package io.probe4j.elf;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** ELF notes ({@code SHT_NOTE} sections or {@code PT_NOTE} segments): the GNU build id, and the notes of one section. */
final class Notes {
    static final int NT_GNU_BUILD_ID = 3;

    /**
     * One note: its owner's name (without the NUL) and type, and where its descriptor lies in the file.
     */
    record Note(String name, long type, long descOffset, long descSize) {
    }

    private Notes() {
    }

    static Optional<String> buildId(ElfBytes b, List<SectionHeader> sections, List<ProgramHeader> segments) {
        // Sections when present (they survive in debug files); segments for section-stripped files.
        for (SectionHeader s : sections) {
            if (s.type() == SectionHeader.SHT_NOTE) {
                Optional<String> id = buildId(b, read(b, s.offset(), s.size(), s.addrAlign()));
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        for (ProgramHeader p : segments) {
            if (p.type() == ProgramHeader.PT_NOTE) {
                Optional<String> id = buildId(b, read(b, p.offset(), p.fileSize(), p.align()));
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> buildId(ElfBytes b, List<Note> notes) {
        for (Note n : notes) {
            if (n.type() == NT_GNU_BUILD_ID && n.name().equals("GNU")) {
                return Optional.of(HexFormat.of().formatHex(b.bytes(n.descOffset(), (int) n.descSize())));
            }
        }
        return Optional.empty();
    }

    /** The notes in {@code [start, start + size)}; reading stops at the first one that does not fit. */
    static List<Note> read(ElfBytes b, long start, long size, long align) {
        b.require(start, size, "a note section");
        // Notes are 4-byte aligned, except in 8-byte aligned containers such as .note.gnu.property.
        long a = align == 8 ? 8 : 4;
        long p = start;
        long end = start + size;
        List<Note> out = new ArrayList<>();
        while (end - p >= 12) {
            long namesz = b.u32(p);
            long descsz = b.u32(p + 4);
            long type = b.u32(p + 8);
            long name = p + 12;
            long desc = name + roundUp(namesz, a);
            if (namesz > size || descsz > size || desc + descsz > end) {
                break;
            }
            int nameLength = namesz > 0 && b.u8(name + namesz - 1) == 0 ? (int) namesz - 1 : (int) namesz;
            out.add(new Note(new String(b.bytes(name, nameLength), java.nio.charset.StandardCharsets.ISO_8859_1),
                    type, desc, descsz));
            p = desc + roundUp(descsz, a);
        }
        return out;
    }

    private static long roundUp(long n, long a) {
        return (n + a - 1) & -a;
    }
}
