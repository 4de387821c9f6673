package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import io.probe4j.testing.ManyFunctions;
import io.probe4j.testing.Skip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wildcard definitions on both engines: the kernel's uprobes are the oracle for the trap engine's
 * events, also when the kernel engine puts thousands of definitions into a few shared kernel events.
 */
@Timeout(600)
@Kernel
class WildcardEnginesTest {

    /** Both engines' runs: the same events, the summary line once per wildcard, the program as untraced. */
    private static BothEngines.Run same(List<String> defs, List<String> command, int wildcards) throws Exception {
        BothEngines.Run kernel = BothEngines.run("kernel", defs, command);
        BothEngines.Run trap = BothEngines.run("trap", defs, command);
        assertEquals(String.join("\n", kernel.events()), String.join("\n", trap.events()), trap.err());
        BothEngines.Run plain = BothEngines.untraced(command);
        assertEquals(plain.programOut(), trap.programOut());
        assertEquals(plain.programOut(), kernel.programOut());
        assertEquals(plain.status(), trap.status());
        for (BothEngines.Run r : List.of(kernel, trap)) {
            assertEquals(wildcards, r.err().lines().filter(l -> l.startsWith("probe4j: ") && l.contains(" match")).count(), r.err());
            assertEquals(wildcards, r.err().lines().filter(l -> l.startsWith("probe4j:")).count(), "nothing else: " + r.err());
        }
        return trap;
    }

    @Test
    void entryAndReturnWildcardsGiveTheKernelsEventsUnderPerfsNames() throws Exception {
        Path bin = Fixtures.compile("wild.c");
        BothEngines.Run r = same(List.of("p " + bin + ":f[a-d]* x=%di:s32", "r " + bin + ":f[a-d]* rv=$retval:s32"),
                List.of(bin.toString()), 2);
        // fa is called twice (once through its alias); fd.part.0 is the event fd
        assertEquals(List.of("fa", "fa__return", "fb", "fb__return", "fd", "fd__return", "fa", "fa__return"),
                r.events().stream().map(e -> e.split("\\|")[2].split(":")[0]).toList());
    }

    /**
     * Beyond 64 definitions the kernel engine shares kernel events among definitions (a hidden argument
     * tells them apart): every line still carries its own definition's name and arguments.
     */
    @Test
    void hundredsOfDefinitionsInSharedKernelEventsKeepTheirNames() throws Exception {
        Path bin = ManyFunctions.callEachOnce(300);
        BothEngines.Run r = same(List.of("p " + bin + ":f[0-9]* x=%di:s32", "r " + bin + ":f[0-9]* rv=$retval:s32"),
                List.of(bin.toString()), 2);
        assertEquals(600, r.events().size());
        assertTrue(r.events().contains("many_once_300|T0|f123: (0x" + Long.toHexString(address(bin, "f123"))
                + ") x=123"), String.join("\n", r.events().subList(0, 10)));
    }

    /** Ten thousand functions, each called once: every event counted once on both engines. */
    @Test
    void tenThousandProbesAreEachHitOnceOnBothEngines() throws Exception {
        Path bin = ManyFunctions.callEachOnce(10_000);
        for (String engine : List.of("trap", "kernel")) {
            Cli.Result r = Cli.run("trace", "--engine", engine, "--profile", "p " + bin + ":f[0-9]*", "--", bin.toString());
            assertEquals(0, r.status(), r.err());
            Map<String, Long> counts = new TreeMap<>();
            r.out().lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length == 3)
                    .forEach(f -> counts.merge(f[2], 1L, Long::sum));
            assertEquals(Map.of("1", 10_000L), counts, engine + ": events by hit count\n" + r.err());
        }
        Skip.unlessKernel();
        assertEquals(List.of(), Files.readAllLines(Skip.TRACEFS.resolve("uprobe_events")).stream()
                .filter(l -> l.contains(":probe4j_" + ProcessHandle.current().pid())).toList(), "every event removed");
    }

    /** The run-time address of a function with address space randomisation off (a PIE at 0x555555554000). */
    private static long address(Path bin, String symbol) {
        io.probe4j.elf.ElfFile elf = io.probe4j.elf.ElfFile.open(bin);
        return 0x555555554000L + elf.symbols().defined(symbol).getFirst().value();
    }
}
