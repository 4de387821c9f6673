package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import io.probe4j.testing.Skip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Wildcard definitions ({@code p PATH:GLOB}): the definitions they stand for, as {@code probe4j parse}
 * prints them, named the way {@code perf probe} names the events it makes for a pattern.
 */
class WildcardTest {
    private static Path wild() {
        return Fixtures.compile("wild.c");
    }

    /** {@code p:GROUP/NAME PATH:0x%016x} of function {@code symbol} in {@code bin}. */
    private static String line(String kind, String group, String name, Path bin, String symbol) {
        ElfFile elf = ElfFile.open(bin);
        long offset = elf.fileOffsetOf(elf.symbols().defined(symbol).getFirst().value()).orElseThrow();
        return String.format("%s:%s/%s %s:0x%016x", kind, group, name, bin, offset);
    }

    @Test
    void eachMatchedFunctionIsOneDefinitionNamedAfterIt() {
        Path bin = wild();
        Cli.Result r = Cli.run("parse", "p " + bin + ":f[a-e]*", "r " + bin + ":f[a-e]* rv=$retval:s32");
        assertEquals(0, r.status(), r.err());
        // fa_alias is fa (one probe per address; perf keeps the global name), fd.part.0 is named fd
        assertEquals(String.join("\n",
                line("p", "uprobes", "fa", bin, "fa"),
                line("p", "uprobes", "fb", bin, "fb"),
                line("p", "uprobes", "fd", bin, "fd.part.0"),
                line("r", "uprobes", "fa__return", bin, "fa") + " rv=$retval:s32",
                line("r", "uprobes", "fb__return", bin, "fb") + " rv=$retval:s32",
                line("r", "uprobes", "fd__return", bin, "fd.part.0") + " rv=$retval:s32") + "\n", r.out());
    }

    @Test
    void aNameTakenBeforeGetsTheFirstFreeSuffixAsWithPerf() {
        Path bin = wild();
        Cli.Result r = Cli.run("parse", "p:fa " + bin + ":fb", "p " + bin + ":f[ab]", "p " + bin + ":f[ab]",
                "r:fa__return " + bin + ":fb", "r " + bin + ":f[ab]");
        assertEquals(0, r.status(), r.err());
        // a return probe's suffixed name drops __return, as perf's does
        assertEquals(List.of("p:uprobes/fa", "p:uprobes/fa_1", "p:uprobes/fb", "p:uprobes/fa_2", "p:uprobes/fb_1",
                "r:uprobes/fa__return", "r:uprobes/fa_3", "r:uprobes/fb__return"), names(r));
    }

    private static List<String> names(Cli.Result r) {
        return r.out().lines().map(l -> l.substring(0, l.indexOf(' '))).toList();
    }

    @Test
    void aGroupOrAnEventNameAppliesToEveryMatch() {
        Path bin = wild();
        Cli.Result grouped = Cli.run("parse", "p:grp/ " + bin + ":f[ab]");
        assertEquals(line("p", "grp", "fa", bin, "fa") + "\n" + line("p", "grp", "fb", bin, "fb") + "\n", grouped.out());
        // as with perf, a name given makes one event with a probe on each function
        Cli.Result named = Cli.run("parse", "p:g/ev " + bin + ":f[ab] x=%di:s32");
        assertEquals(line("p", "g", "ev", bin, "fa") + " x=%di:s32\n" + line("p", "g", "ev", bin, "fb") + " x=%di:s32\n",
                named.out(), named.err());
    }

    @Test
    void indirectAndUnprobeableFunctionsAreSkippedAndCountedOnOneLine() {
        Path bin = wild();
        Cli.Result r = Cli.run("parse", "p " + bin + ":f*");
        assertEquals(0, r.status(), r.err());
        List<String> names = r.out().lines().map(l -> l.substring(l.indexOf('/') + 1, l.indexOf(' '))).toList();
        // f$x has a character no event name may have; fi_plain (static) and gcc's frame_dummy match too; fi and
        // its resolver fi_resolver are one address, an IFUNC's
        assertEquals(List.of("f_x", "fa", "fb", "fd", "fi_plain", "frame_dummy"), names);
        assertEquals("probe4j: " + bin + ":f*: 10 functions match (8 addresses): 6 probed, skipped 1 indirect (IFUNC), "
                + "1 unprobeable (it has a LOCK prefix (0xf0))\n", r.err());
    }

    @Test
    void aPatternMatchingNothingOrWithAnOffsetIsRefused() {
        Path bin = wild();
        Cli.Result none = Cli.run("parse", "p " + bin + ":zz*");
        assertEquals(2, none.status());
        assertTrue(none.err().contains(bin + ": no function matches zz*"), none.err());
        Cli.Result onlyRefused = Cli.run("parse", "p " + bin + ":fl*");
        assertTrue(onlyRefused.err().contains("nothing to probe: " + bin + ":fl*: 1 function matches: 0 probed, skipped 1 "
                + "unprobeable (it has a LOCK prefix (0xf0))"), onlyRefused.err());
        Cli.Result offset = Cli.run("parse", "p " + bin + ":f*+4");
        assertEquals(2, offset.status());
        assertTrue(offset.err().contains("the pattern f* names many functions: +OFF cannot go with it"), offset.err());
    }

    /**
     * perf is the model for the names: the same patterns added twice ({@code -f} the second time, which
     * lets perf add suffixes), for entry and return, give the events probe4j prints, name for name.
     */
    @Test
    @Kernel
    void theNamesAreThoseThatPerfProbeGives() throws Exception {
        Skip.PLATFORM.unless(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (/usr/bin/perf)");
        // without debug information, so that perf goes by the symbol table as probe4j does
        Path dir = Files.createTempDirectory("p4jwild");
        Path bin = dir.resolve("p4jwild" + ProcessHandle.current().pid());
        String group = "probe_" + bin.getFileName();
        try {
            Files.copy(wild(), bin, StandardCopyOption.REPLACE_EXISTING);
            run("strip", "--strip-debug", bin.toString());
            for (String[] add : new String[][] {{"f[a-e]*"}, {"-f", "f[a-e]*"}, {"f[a-e]*%return"}, {"-f", "f[a-e]*%return"}}) {
                List<String> cmd = new ArrayList<>(List.of("perf", "probe", "-q", "-x", bin.toString()));
                cmd.addAll(List.of(add).subList(0, add.length - 1));
                cmd.addAll(List.of("-a", add[add.length - 1]));
                run(cmd.toArray(String[]::new));
            }
            List<String> perf = Files.readAllLines(Skip.TRACEFS.resolve("uprobe_events")).stream()
                    .filter(l -> l.contains(":" + group + "/")).toList();
            String g = "p:" + group + "/ " + bin + ":f[a-e]*";
            String rg = "r:" + group + "/ " + bin + ":f[a-e]*";
            Cli.Result ours = Cli.run("parse", g, g, rg, rg);
            assertEquals(String.join("\n", perf) + "\n", ours.out(), ours.err());
        } finally {
            run("perf", "probe", "-q", "-d", group + ":*");
            Files.deleteIfExists(bin);
            Files.deleteIfExists(dir);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0 && !(cmd[0].equals("perf") && List.of(cmd).contains("-d"))) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
