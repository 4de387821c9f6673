package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.testing.Kernel;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * USDT probes of a program built with {@code <sys/sdt.h>}, traced by name under both engines: the kernel's
 * uprobes with {@code (REF_CTR)} are the oracle for the events, the decoded arguments and the semaphores
 * the program sees (it fires its guarded probes only while they are set, and prints them), through a
 * fork, an exec and a {@code dlopen}.
 */
@Timeout(300)
@Kernel
class UsdtEnginesTest {
    static BothEngines.Run[] both(List<String> definitions, List<String> command) throws Exception {
        BothEngines.Run kernel = BothEngines.run("kernel", definitions, command);
        BothEngines.Run trap = BothEngines.run("trap", definitions, command);
        assertEquals(0, kernel.status(), kernel.err());
        assertEquals(0, trap.status(), trap.err());
        return new BothEngines.Run[] {kernel, trap};
    }

    @ParameterizedTest
    @ValueSource(strings = {"O0", "O2", "nopie"})
    void bothEnginesGiveTheSameEventsAndSemaphores(String build) throws Exception {
        Path demo = UsdtFixtures.demo(build);
        Path lib = UsdtFixtures.lib();
        List<String> defs = List.of("p:tick " + demo + ":demo:tick", "p:step " + demo + ":demo:step +0(%di):string",
                "p:constants " + demo + ":plain:constants", "p:call " + lib + ":lib:call");
        List<String> cmd = List.of(demo.toString(), "tick:3", "plain:2", "fork", "tick:1", "exec", "tick:1",
                "dlopen:" + lib);
        BothEngines.Run[] r = both(defs, cmd);
        assertEquals(r[0].programOut(), r[1].programOut());
        // the semaphores were set for the program, its fork child, its new image and the library it loaded
        assertEquals(List.of("tick sem=1", "child sem=1", "tick sem=1", "tick sem=1", "lib sem=1",
                "child done sem=1", "tick sem=1", "tick sem=1", "lib sem=1"), r[1].programOut().lines().toList());
        assertEquals(sorted(r[0].events()), sorted(r[1].events()));
        List<String> ticks = r[1].events().stream().filter(e -> e.contains("|tick: ")).toList();
        assertEquals(3 + 1 + 1 + 1 + 1, ticks.size(), String.join("\n", r[1].events()));
        // at every build: i, big, neg, c, uc, p->x, p->y with p->y = -7 (a RIP-relative read at -O2)
        assertTrue(ticks.getFirst().endsWith("arg1=0 arg2=1234567890123 arg3=-5 arg4=97 arg5=250 arg6=0 arg7=-7"),
                ticks.getFirst());
        // the user's argument after the note's three: the step's name through the note's first register
        assertTrue(r[1].events().stream().anyMatch(e -> e.contains("|step: ") && e.endsWith(" arg2=42 arg3=-1 arg4=\"tick:3\"")),
                r[1].events().toString());
    }

    @Test
    void twoProbesWithOneReferenceCounterCountTwiceInBothEngines() throws Exception {
        Path demo = UsdtFixtures.demo("O2");
        SdtNote tick = note(demo, "tick");
        SdtNote step = note(demo, "step");
        String ref = "(0x" + Long.toHexString(tick.semaphoreOffset().getAsLong()) + ")";
        List<String> defs = List.of("p:a " + demo + ":0x" + Long.toHexString(tick.offset()) + ref,
                "p:b " + demo + ":0x" + Long.toHexString(step.offset()) + ref);
        BothEngines.Run[] r = both(defs, List.of(demo.toString(), "tick:1"));
        assertEquals("tick sem=2\n", r[0].programOut(), "the kernel counts one per probe");
        assertEquals(r[0].programOut(), r[1].programOut());
        assertEquals(sorted(r[0].events()), sorted(r[1].events()));
    }

    static SdtNote note(Path file, String name) {
        return ElfFile.open(file).sdtNotes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> sorted(List<String> events) {
        return events.stream().sorted().toList();
    }
}
