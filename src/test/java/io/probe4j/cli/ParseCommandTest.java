package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.testing.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code probe4j parse} with probe4j's extensions: symbols and library names become the kernel's form. */
class ParseCommandTest {
    private static final Path LIBC = ObjectFinder.system().find("libc");

    private static long getenvOffset() {
        ElfFile elf = ElfFile.open(LIBC);
        long vaddr = elf.symbols().defined("getenv").getFirst().value();
        return elf.fileOffsetOf(vaddr).orElseThrow();
    }

    @Test
    void librarySymbolBecomesKernelNormalForm() {
        Cli.Result r = Cli.run("parse", "p:g/getenv libc:getenv name=+0(%di):string");
        assertEquals(0, r.status(), r.err());
        assertEquals(String.format("p:g/getenv %s:0x%016x name=+0(%%di):string%n", LIBC, getenvOffset()), r.out());
    }

    @Test
    void automaticNameComesFromTheResolvedFileAndOffset() {
        Cli.Result r = Cli.run("parse", "r libc:getenv+0");
        assertEquals(0, r.status(), r.err());
        assertEquals(String.format("r:uprobes/p_libc_0x%x %s:0x%016x%n", getenvOffset(), LIBC, getenvOffset()), r.out());
    }

    /** The second instruction of getenv, from objdump: a boundary the decoder must accept. */
    private static long secondInstructionOfGetenv() throws Exception {
        ElfFile elf = ElfFile.open(LIBC);
        long vaddr = elf.symbols().defined("getenv").getFirst().value();
        Process p = new ProcessBuilder("objdump", "-d", "--start-address=" + vaddr, "--stop-address=" + (vaddr + 16), LIBC.toString())
                .redirectErrorStream(true).start();
        List<Long> starts = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
            Matcher m = Pattern.compile("^\\s*([0-9a-f]+):\\t").matcher(line);
            if (m.find()) {
                starts.add(Long.parseLong(m.group(1), 16));
            }
        }
        p.waitFor();
        return starts.get(1) - vaddr;
    }

    @Test
    void offsetInsideAFunctionMustStartAnInstruction() throws Exception {
        long second = secondInstructionOfGetenv();
        Cli.Result ok = Cli.run("parse", "p libc:getenv+" + second);
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains(String.format(":0x%016x", getenvOffset() + second)), ok.out());
        Cli.Result bad = Cli.run("parse", "p libc:getenv+" + (second - 1));
        assertEquals(2, bad.status(), bad.out());
        assertTrue(bad.err().contains("getenv"), bad.err());
    }

    @Test
    void unknownSymbolIsAUserErrorNamingIt() {
        Cli.Result r = Cli.run("parse", "p libc:no_such_function_p4j");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no_such_function_p4j"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }
}
