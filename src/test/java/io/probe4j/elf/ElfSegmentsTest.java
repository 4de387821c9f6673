package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Program headers and offset/address mapping as {@code readelf -lW} shows them, PIE and non-PIE. */
class ElfSegmentsTest {
    private static final Map<String, Long> TYPES = Map.of("NULL", 0L, "LOAD", 1L, "DYNAMIC", 2L, "INTERP", 3L,
            "NOTE", 4L, "PHDR", 6L, "TLS", 7L, "GNU_EH_FRAME", 0x6474e550L, "GNU_STACK", 0x6474e551L,
            "GNU_RELRO", 0x6474e552L);

    static Path pie() {
        return Fixtures.compileAs("elf_symbols_pie", "elf_symbols.c", "-pie", "-fPIE");
    }

    static Path nonPie() {
        return Fixtures.compileAs("elf_symbols_nopie", "elf_symbols.c", "-no-pie", "-fno-PIE");
    }

    @Test
    void pieProgramHeadersAndMapping() {
        Path f = pie();
        assertTrue(Oracle.elfType(f).startsWith("DYN"), Oracle.elfType(f));
        assertEquals(ElfFile.ET_DYN, ElfFile.open(f).type());
        checkAgainstReadelf(f);
    }

    @Test
    void nonPieProgramHeadersAndMapping() {
        Path f = nonPie();
        assertTrue(Oracle.elfType(f).startsWith("EXEC"), Oracle.elfType(f));
        assertEquals(ElfFile.ET_EXEC, ElfFile.open(f).type());
        checkAgainstReadelf(f);
    }

    @Test
    void libcProgramHeadersAndMapping() {
        checkAgainstReadelf(ElfSymbolsTest.LIBC);
    }

    private static void checkAgainstReadelf(Path f) {
        ElfFile elf = ElfFile.open(f);
        List<Oracle.Segment> expected = Oracle.segments(f);
        List<ProgramHeader> actual = elf.programHeaders();
        assertEquals(expected.size(), actual.size(), "program headers of " + f);
        for (int i = 0; i < expected.size(); i++) {
            Oracle.Segment e = expected.get(i);
            ProgramHeader a = actual.get(i);
            String where = f + " " + e;
            if (TYPES.containsKey(e.type())) {
                assertEquals(TYPES.get(e.type()), a.type(), where);
            }
            assertEquals(e.offset(), a.offset(), where);
            assertEquals(e.vaddr(), a.vaddr(), where);
            assertEquals(e.paddr(), a.paddr(), where);
            assertEquals(e.fileSize(), a.fileSize(), where);
            assertEquals(e.memSize(), a.memSize(), where);
            assertEquals(e.align(), a.align(), where);
            String flags = ((a.flags() & ProgramHeader.PF_R) != 0 ? "R" : " ")
                    + ((a.flags() & ProgramHeader.PF_W) != 0 ? "W" : " ")
                    + ((a.flags() & ProgramHeader.PF_X) != 0 ? "E" : " ");
            assertEquals(e.flags(), flags.strip(), where);
            if (e.type().equals("LOAD") && e.fileSize() > 0) {
                long last = e.fileSize() - 1;
                assertEquals(e.vaddr(), elf.vaddrOf(e.offset()).orElseThrow(), where);
                assertEquals(e.vaddr() + last, elf.vaddrOf(e.offset() + last).orElseThrow(), where);
                assertEquals(e.offset(), elf.fileOffsetOf(e.vaddr()).orElseThrow(), where);
                assertEquals(e.offset() + last, elf.fileOffsetOf(e.vaddr() + last).orElseThrow(), where);
            }
        }
        // every defined function symbol maps to the file offset readelf's segments give
        for (Oracle.Sym s : Oracle.symbols(f)) {
            if (s.type().equals("FUNC") && !s.ndx().equals("UND") && s.value() != 0) {
                assertEquals(Oracle.fileOffset(expected, s.value()), elf.fileOffsetOf(s.value()).orElseThrow(),
                        f + " " + s);
            }
        }
    }

    @Test
    void bssHasNoFileOffset() {
        ElfFile elf = ElfFile.open(nonPie());
        Oracle.Segment data = Oracle.segments(nonPie()).stream()
                .filter(s -> s.type().equals("LOAD") && s.memSize() > s.fileSize()).findFirst().orElseThrow();
        assertTrue(elf.fileOffsetOf(data.vaddr() + data.fileSize()).isEmpty());
    }

    @Test
    void buildIdMatchesReadelf() {
        for (Path f : List.of(pie(), nonPie(), ElfSymbolsTest.LIBC, Path.of("/bin/ls"))) {
            assertEquals(Oracle.buildId(f), ElfFile.open(f).buildId().orElse(null), f.toString());
        }
        Path none = Fixtures.compileAs("elf_symbols_nobuildid", "elf_symbols.c", "-Wl,--build-id=none");
        assertEquals(null, Oracle.buildId(none));
        assertTrue(ElfFile.open(none).buildId().isEmpty());
    }
}
