package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Symbols as readelf and nm see them. */
class ElfSymbolsTest {
    static final Path LIBC = ObjectFinder.system().find("libc.so.6");

    @Test
    void fixtureSymtabAndDynsymMatchReadelf() {
        Path fixture = Fixtures.compile("elf_symbols.c");
        ElfFile elf = ElfFile.open(fixture);
        assertTrue(elf.section(".symtab").isPresent(), "fixture keeps .symtab");
        assertSameAsReadelf(fixture, elf);
    }

    @Test
    void libcDynsymMatchesReadelfIncludingVersions() {
        ElfFile elf = ElfFile.open(LIBC);
        assertSameAsReadelf(LIBC, elf);
    }

    private static void assertSameAsReadelf(Path file, ElfFile elf) {
        List<Oracle.Sym> expected = Oracle.symbols(file);
        List<ElfSymbol> actual = elf.symbols().all();
        assertEquals(expected.size(), actual.size(), "number of symbols in " + file);
        for (int i = 0; i < expected.size(); i++) {
            Oracle.Sym e = expected.get(i);
            ElfSymbol a = actual.get(i);
            String where = file + " " + e;
            assertEquals(e.table(), a.table().sectionName(), where);
            assertEquals(e.index(), a.index(), where);
            assertEquals(e.value(), a.value(), where);
            assertEquals(e.size(), a.size(), where);
            assertEquals(e.type(), a.typeName(), where);
            assertEquals(e.bind(), a.bindingName(), where);
            assertEquals(e.vis(), List.of("DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED").get(a.visibility()), where);
            String ndx = switch (a.sectionIndex()) {
                case 0 -> "UND";
                case ElfSymbol.SHN_ABS -> "ABS";
                case 0xfff2 -> "COM";
                default -> Integer.toString(a.sectionIndex());
            };
            assertEquals(e.ndx(), ndx, where);
            // readelf names section symbols after their section; everything else must match name@version exactly
            if (!e.type().equals("SECTION")) {
                assertEquals(e.name(), a.versionedName(), where);
            }
        }
    }

    /** {@code nm -D --defined-only}: the functions (T, W, i) by name and address. */
    @Test
    void libcFunctionsAreNmsDefinedFunctions() {
        Set<String> expected = Oracle.run("nm", "-D", "--defined-only", LIBC.toString()).lines()
                .map(l -> l.split(" "))
                .filter(f -> f.length == 3 && Set.of("T", "t", "W", "w", "i").contains(f[1]))
                .map(f -> Oracle.hex(f[0]) + " " + f[2].replaceFirst("@.*", ""))
                .collect(Collectors.toSet());
        Set<String> actual = ElfFile.open(LIBC).symbols().functions().stream()
                .map(f -> f.value() + " " + f.name()).collect(Collectors.toSet());
        assertFalse(expected.isEmpty());
        assertEquals(expected, actual);
    }

    @Test
    void versionedNamesMatchTheirBaseName() {
        ElfFile elf = ElfFile.open(LIBC);
        // Every defined readelf name with a version must be found by its base name and by its full name.
        for (Oracle.Sym s : Oracle.symbols(LIBC)) {
            if (!s.ndx().equals("UND") && s.name().contains("@")) {
                assertTrue(elf.symbols().defined(s.baseName()).stream().anyMatch(x -> x.value() == s.value()), s.toString());
                assertTrue(elf.symbols().defined(s.name()).stream().anyMatch(x -> x.value() == s.value()), s.toString());
            }
        }
    }

    @Test
    void functionBytesAreWhatObjdumpDisassembles() {
        Path fixture = Fixtures.compileAs("elf_symbols_nopie", "elf_symbols.c", "-no-pie", "-fno-PIE");
        ElfFile elf = ElfFile.open(fixture);
        Oracle.Sym add = Oracle.symbols(fixture).stream()
                .filter(s -> s.table().equals(".symtab") && s.name().equals("elf_add")).findFirst().orElseThrow();
        byte[] code = elf.functionBytes(elf.symbols().defined("elf_add").getFirst());
        assertEquals(add.size(), code.length);
        var insns = Oracle.instructions(fixture, add.value(), add.size());
        assertFalse(insns.isEmpty());
        insns.forEach((off, bytes) -> {
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(bytes[i], code[(int) (off + i)], "elf_add+" + off + " byte " + i);
            }
        });
    }
}
