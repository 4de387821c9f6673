package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.spec.ProbeTarget.Location;
import io.probe4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not what probe4j can read get an error naming the file and the problem. */
class ElfErrorsTest {
    private static String error(Path p) {
        return assertThrows(UserException.class, () -> ElfFile.open(p)).getMessage();
    }

    @Test
    void missingFile(@TempDir Path dir) {
        assertEquals(dir.resolve("nope") + ": no such file", error(dir.resolve("nope")));
    }

    @Test
    void directory(@TempDir Path dir) {
        assertEquals(dir + ": is a directory, not an ELF file", error(dir));
    }

    @Test
    void notElf(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        assertEquals(text + ": not an ELF file (no \\x7fELF magic at the start)", error(text));
        Path empty = Files.createFile(dir.resolve("empty"));
        assertEquals(empty + ": not an ELF file (no \\x7fELF magic at the start)", error(empty));
    }

    @Test
    void thirtyTwoBitFile(@TempDir Path dir) throws IOException {
        byte[] elf = Files.readAllBytes(Fixtures.compile("elf_symbols.c"));
        elf[4] = 1; // EI_CLASS = ELFCLASS32
        Path f = Files.write(dir.resolve("elf32"), elf);
        assertTrue(Oracle.run("file", "-b", f.toString()).startsWith("ELF 32-bit"), "file(1) agrees it is 32-bit");
        assertEquals(f + ": a 32-bit ELF file (ELFCLASS32); probe4j reads 64-bit ELF files only", error(f));
    }

    @Test
    void truncatedFiles(@TempDir Path dir) throws IOException {
        Path fixture = Fixtures.compile("elf_symbols.c");
        byte[] elf = Files.readAllBytes(fixture);
        Path header = Files.write(dir.resolve("header"), Arrays.copyOf(elf, 40));
        assertTrue(error(header).startsWith(header + ": truncated or corrupt ELF file: the ELF header at file offset 0x0 (64 bytes)"),
                error(header));
        Path phdrs = Files.write(dir.resolve("phdrs"), Arrays.copyOf(elf, 100));
        assertTrue(error(phdrs).startsWith(phdrs + ": truncated or corrupt ELF file: the program header table"), error(phdrs));
        // headers complete, section header table (at the end of the file) cut off
        Path sections = Files.write(dir.resolve("sections"), Arrays.copyOf(elf, elf.length - 100));
        assertTrue(error(sections).startsWith(sections + ": truncated or corrupt ELF file: the section header table"),
                error(sections));
    }

    @Test
    void truncatedSymbolTableFailsWhenSymbolsAreRead(@TempDir Path dir) throws IOException {
        Path fixture = Fixtures.compile("elf_symbols.c");
        ElfFile whole = ElfFile.open(fixture);
        SectionHeader symtab = whole.section(".symtab").orElseThrow();
        byte[] elf = Files.readAllBytes(fixture);
        // every header intact, but .symtab's sh_offset moved to 8 bytes before the end of the file
        long shoff = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(40);
        java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong((int) (shoff + 64L * symtab.index() + 24), elf.length - 8);
        Path f = Files.write(dir.resolve("badsymtab"), elf);
        ElfFile bad = ElfFile.open(f);
        String msg = assertThrows(UserException.class, bad::symbols).getMessage();
        assertTrue(msg.startsWith(f + ": truncated or corrupt ELF file: symbol table .symtab at file offset"), msg);
    }

    @Test
    void relocatableObjectsCannotBeProbed(@TempDir Path dir) {
        Path obj = Fixtures.compileAs("elf_symbols.o", "elf_symbols.c", "-c");
        assertTrue(Oracle.elfType(obj).startsWith("REL"), Oracle.elfType(obj));
        String msg = assertThrows(UserException.class, () -> new TargetResolver().resolve(
                new ProbeTarget(obj.toString(), new Location.Symbol("main", 0), OptionalLong.empty()))).getMessage();
        assertTrue(msg.startsWith(obj + ": not an executable or shared library (ELF type 1)"), msg);
    }

    @Test
    void indirectFunctionNamesItsImplementations() {
        Path f = Fixtures.compile("elf_ifunc.c");
        assertTrue(Oracle.symbols(f).stream().anyMatch(s -> s.name().equals("elf_twice") && s.type().equals("IFUNC")));
        String msg = assertThrows(UserException.class, () -> new TargetResolver().resolve(
                new ProbeTarget(f.toString(), new Location.Symbol("elf_twice", 0), OptionalLong.empty()))).getMessage();
        assertTrue(msg.startsWith(f + ": elf_twice is an indirect function (IFUNC)"), msg);
        assertTrue(msg.contains("Probe the implementation it selects instead: __elf_twice_plain, __elf_twice_shift;"), msg);
    }
}
