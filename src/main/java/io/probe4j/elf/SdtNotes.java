package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a file's USDT probes from its {@code .note.stapsdt} section. Each note's descriptor is three
 * addresses (the probe's {@code nop}, {@code .stapsdt.base}, the semaphore; 8 bytes each in ELF64) and
 * three NUL-terminated strings (provider, name, arguments).
 *
 * <p>The notes are not loaded, so nothing relocates them: a prelinked file moved every address but
 * left the notes as they were. {@code .stapsdt.base} exists to undo that: the note records where that
 * section was when it was written, the section header says where it is now, and the difference is
 * added to the probe's address and to its semaphore's (both moved with the file).
 */
final class SdtNotes {
    static final long NT_STAPSDT = 3;
    private static final int ADDRESSES = 3 * 8;

    private SdtNotes() {
    }

    static List<SdtNote> read(ElfFile elf, ElfBytes b) {
        Optional<SectionHeader> section = elf.section(".note.stapsdt");
        if (section.isEmpty() || section.get().type() != SectionHeader.SHT_NOTE) {
            return List.of();
        }
        SectionHeader s = section.get();
        OptionalLong baseNow = elf.section(".stapsdt.base").map(h -> OptionalLong.of(h.addr())).orElse(OptionalLong.empty());
        List<SdtNote> out = new ArrayList<>();
        for (Notes.Note n : Notes.read(b, s.offset(), s.size(), s.addrAlign())) {
            if (n.type() != NT_STAPSDT || !n.name().equals("stapsdt")) {
                continue;
            }
            if (n.descSize() < ADDRESSES + 3) {
                throw corrupt(elf, n, "its descriptor has " + n.descSize() + " bytes, too few for three addresses and three strings");
            }
            long pc = b.u64(n.descOffset());
            long base = b.u64(n.descOffset() + 8);
            long semaphore = b.u64(n.descOffset() + 16);
            byte[] strings = b.bytes(n.descOffset() + ADDRESSES, (int) (n.descSize() - ADDRESSES));
            List<String> texts = cStrings(strings, 3);
            if (texts.size() < 3) {
                throw corrupt(elf, n, "its provider, name and arguments are not three NUL-terminated strings");
            }
            String provider = texts.get(0);
            String name = texts.get(1);
            long moved = baseNow.isPresent() && base != 0 ? baseNow.getAsLong() - base : 0;
            long at = pc + moved;
            long offset = elf.fileOffsetOf(at).orElseThrow(() -> corrupt(elf, n, String.format(
                    "probe %s:%s at 0x%x is in no loaded segment", provider, name, at)));
            OptionalLong semaphoreOffset = OptionalLong.empty();
            if (semaphore != 0) {
                long sem = semaphore + moved;
                semaphoreOffset = OptionalLong.of(semaphoreOffset(elf, sem).orElseThrow(() -> corrupt(elf, n, String.format(
                        "the semaphore of %s:%s at 0x%x is not in the file bytes of a writable loaded segment",
                        provider, name, sem))));
            }
            out.add(new SdtNote(provider, name, pc, base, semaphore, texts.get(2), offset,
                    semaphoreOffset));
        }
        return List.copyOf(out);
    }

    /** A semaphore is written at run time: it must lie in the file bytes of a writable segment. */
    private static OptionalLong semaphoreOffset(ElfFile elf, long address) {
        for (ProgramHeader ph : elf.loadSegments()) {
            if ((ph.flags() & ProgramHeader.PF_W) != 0 && ph.containsVaddr(address) && ph.containsVaddr(address + 1)) {
                return OptionalLong.of(ph.offset() + (address - ph.vaddr()));
            }
        }
        return OptionalLong.empty();
    }

    /** Up to {@code n} NUL-terminated strings from the start of {@code a} (fewer when a NUL is missing). */
    private static List<String> cStrings(byte[] a, int n) {
        List<String> out = new ArrayList<>(n);
        int from = 0;
        for (int i = 0; i < a.length && out.size() < n; i++) {
            if (a[i] == 0) {
                out.add(new String(a, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        return out;
    }

    private static UserException corrupt(ElfFile elf, Notes.Note n, String what) {
        return new UserException(String.format("%s: corrupt USDT note (.note.stapsdt, descriptor at file offset 0x%x): %s",
                elf.path(), n.descOffset(), what));
    }
}
