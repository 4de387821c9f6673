package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code probe4j decode}: listings checked against objdump, the kernel's refusals spelled out, user errors. */
class DecodeCommandTest {
    private static final Path LIBC = ObjectFinder.system().find("libc");

    /** objdump's instruction addresses and RIP targets between two link-time addresses. */
    static List<long[]> objdump(Path file, long start, long stop) throws Exception {
        Process p = new ProcessBuilder("objdump", "-d", "-w", "--no-show-raw-insn",
                String.format("--start-address=0x%x", start), String.format("--stop-address=0x%x", stop),
                file.toString()).start();
        List<long[]> out = new ArrayList<>();
        Pattern line = Pattern.compile("^ *([0-9a-f]+):\t(.*)$");
        Pattern rip = Pattern.compile("\\(%rip\\).*# ([0-9a-f]+)");
        for (String l : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                Matcher r = rip.matcher(m.group(2));
                out.add(new long[] {Long.parseLong(m.group(1), 16), r.find() ? Long.parseLong(r.group(1), 16) : -1});
            }
        }
        p.waitFor();
        return out;
    }

    @Test
    void functionListingMatchesObjdumpOffsetByOffset() throws Exception {
        for (String fn : new String[] {"getenv", "qsort_r", "__libc_start_main"}) {
            Cli.Result r = Cli.run("decode", "libc:" + fn);
            assertEquals(0, r.status(), r.err());
            ElfFile elf = ElfFile.open(LIBC);
            ElfSymbol sym = elf.symbols().defined(fn).getFirst();
            long delta = sym.value() - elf.fileOffsetOf(sym.value()).orElseThrow();
            List<long[]> expected = objdump(LIBC, sym.value(), sym.value() + sym.size());
            String[] lines = r.out().split("\n");
            assertEquals("# " + fn, lines[0].substring(0, fn.length() + 2));
            assertEquals(expected.size(), lines.length - 1, fn + ": instruction count");
            for (int i = 0; i < expected.size(); i++) {
                String[] f = lines[i + 1].split(" ");
                long vaddr = Long.parseLong(f[0], 16) + delta;
                assertEquals(expected.get(i)[0], vaddr, lines[i + 1]);
                assertEquals(Integer.parseInt(f[1]) * 2, f[2].length(), lines[i + 1]);
                long rip = lines[i + 1].contains(" rip=0x")
                        ? Long.parseLong(lines[i + 1].replaceAll(".* rip=0x([0-9a-f]+).*", "$1"), 16) : -1;
                assertEquals(expected.get(i)[1], rip, lines[i + 1]);
            }
        }
    }

    @Test
    void listingShowsBranchKindsAndTheKernelsRefusals() {
        Path bin = Fixtures.compile("x86_probeable.c");
        Cli.Result r = Cli.run("decode", bin + ":x86pb_all");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains(" f0ff00 unprobeable=it has a LOCK prefix (0xf0)"), out);
        assertTrue(out.contains(" cc branch=int3 unprobeable=opcode 0xcc is already a breakpoint (int3)"), out);
        assertTrue(out.contains(" 0f05 branch=syscall\n"), out);
        assertTrue(out.contains(" 8ed0 unprobeable=it is a mov to %ss"), out);
        assertTrue(out.contains(" 66e90000 branch=jmp unprobeable=it is a branch with a 0x66"), out);
        assertTrue(out.matches("(?s).* 488d05[0-9a-f]{8} rip=0x[0-9a-f]+\n.*"), out);
        assertTrue(out.contains(" c3 branch=ret\n"), out);
    }

    @Test
    void wholeFileListsEveryFunctionContiguously() {
        Path bin = Fixtures.compile("x86_exec.c");
        Cli.Result r = Cli.run("decode", bin.toString());
        assertEquals(0, r.status(), r.err());
        List<long[]> spans = new ArrayList<>(); // per function: size, first offset, offset after the last instruction
        for (String line : r.out().split("\n")) {
            String[] f = line.split(" ");
            if (line.startsWith("# ")) {
                spans.add(new long[] {Long.parseLong(f[3]), -1, -1});
                continue;
            }
            long[] s = spans.getLast();
            long off = Long.parseLong(f[0], 16);
            if (s[1] < 0) {
                s[1] = off;
            } else {
                assertEquals(s[2], off, "instructions follow each other: " + line);
            }
            s[2] = off + Integer.parseInt(f[1]);
        }
        for (long[] s : spans) {
            assertEquals(s[0], s[2] - s[1], "a function's instructions cover exactly its size");
        }
        assertTrue(spans.size() >= 6, r.out());
        assertTrue(r.out().contains("# x86r_globals "), r.out());
    }

    @Test
    void unknownFunctionIsAUserErrorWithSuggestions() {
        Cli.Result r = Cli.run("decode", "libc:getenvv");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("has no function getenvv") && r.err().contains("getenv"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void notAnElfFileIsAUserError() {
        Cli.Result r = Cli.run("decode", "/etc/hostname");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not an ELF file"), r.err());
    }
}
