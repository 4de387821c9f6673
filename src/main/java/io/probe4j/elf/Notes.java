package io.probe4j.elf;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** ELF notes ({@code SHT_NOTE} sections or {@code PT_NOTE} segments); only the GNU build id is needed. */
final class Notes {
    static final int NT_GNU_BUILD_ID = 3;

    private Notes() {
    }

    static Optional<String> buildId(ElfBytes b, List<SectionHeader> sections, List<ProgramHeader> segments) {
        // Sections when present (they survive in debug files); segments for section-stripped files.
        for (SectionHeader s : sections) {
            if (s.type() == SectionHeader.SHT_NOTE) {
                Optional<String> id = scan(b, s.offset(), s.size(), s.addrAlign());
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        for (ProgramHeader p : segments) {
            if (p.type() == ProgramHeader.PT_NOTE) {
                Optional<String> id = scan(b, p.offset(), p.fileSize(), p.align());
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scan(ElfBytes b, long start, long size, long align) {
        b.require(start, size, "a note section");
        // Notes are 4-byte aligned, except in 8-byte aligned containers such as .note.gnu.property.
        long a = align == 8 ? 8 : 4;
        long p = start;
        long end = start + size;
        while (end - p >= 12) {
            long namesz = b.u32(p);
            long descsz = b.u32(p + 4);
            long type = b.u32(p + 8);
            long name = p + 12;
            long desc = name + roundUp(namesz, a);
            long next = desc + roundUp(descsz, a);
            if (namesz > size || descsz > size || desc + descsz > end) {
                return Optional.empty();
            }
            if (type == NT_GNU_BUILD_ID && namesz == 4 && b.u8(name) == 'G' && b.u8(name + 1) == 'N'
                    && b.u8(name + 2) == 'U' && b.u8(name + 3) == 0) {
                return Optional.of(HexFormat.of().formatHex(b.bytes(desc, (int) descsz)));
            }
            p = next;
        }
        return Optional.empty();
    }

    private static long roundUp(long n, long a) {
        return (n + a - 1) & -a;
    }
}
