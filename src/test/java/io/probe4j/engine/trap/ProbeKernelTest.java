package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.event.ProbeEvent;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel is the oracle: the same definitions through the kernel's uprobes and through the trap
 * engine give the same events (comm, thread, flags, event, addresses, arguments) and leave the
 * program's output and status as without tracing.
 */
@Timeout(180)
@Kernel
class ProbeKernelTest {

    static void assertSameAsKernel(List<String> defs, List<String> command, int expectedEvents) throws Exception {
        assertSameAsKernel(defs, command, expectedEvents, r -> String.join("\n", r.events()));
    }

    /**
     * Both engines on the same definitions and command: {@code view} of their events must be equal, and
     * the program's output and status those of an untraced run.
     */
    static void assertSameAsKernel(List<String> defs, List<String> command, int expectedEvents,
                                   Function<BothEngines.Run, String> view) throws Exception {
        BothEngines.Run kernel = BothEngines.run("kernel", defs, command);
        BothEngines.Run trap = BothEngines.run("trap", defs, command);
        assertEquals(expectedEvents, kernel.events().size(), "kernel events:\n" + String.join("\n", kernel.events()) + kernel.err());
        assertEquals(view.apply(kernel), view.apply(trap), trap.err());
        BothEngines.Run plain = BothEngines.untraced(command);
        assertEquals(plain.programOut(), trap.programOut(), "traced output equals untraced");
        assertEquals(plain.status(), trap.status(), "traced status equals untraced");
        assertEquals(plain.programOut(), kernel.programOut());
        assertFalse(trap.err().contains("probe4j:"), trap.err());
    }

    @Test
    void probesInTheProgramAndInLibcUseTwoXolAreasFarApart() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        // the program (0x5555...) and libc (0x7fff...) are more than 2 GiB apart: each gets its own area
        assertSameAsKernel(List.of(
                "p:pc_add2 " + off(bin, "add") + " a=%di:s32",
                "p:pc_printf libc:printf fmt=+0(%di):string",
                "r:pc_printfr libc:printf rv=$retval:s32"), List.of(bin.toString(), "2"), 2 + 2);
    }

    @Test
    void flagsAreWhatTheKernelPrintsForAnEntryHit() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        BothEngines.flags.clear();
        BothEngines.run("kernel", List.of("p:pc_flags " + off(bin, "add")), List.of(bin.toString(), "3"));
        assertEquals(List.of(ProbeEvent.UPROBE_FLAGS, ProbeEvent.UPROBE_FLAGS, ProbeEvent.UPROBE_FLAGS), BothEngines.flags);
    }

    static String off(Path bin, String symbol) {
        return bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, symbol));
    }

    @Test
    void entryAndReturnProbesWithRecursionPie() throws Exception {
        entryAndReturnProbesWithRecursion(Fixtures.compile("probe_calls.c"));
    }

    @Test
    void entryAndReturnProbesWithRecursionNoPie() throws Exception {
        entryAndReturnProbesWithRecursion(Fixtures.compileAs("probe_calls_nopie", "probe_calls.c", "-no-pie"));
    }

    private static void entryAndReturnProbesWithRecursion(Path bin) throws Exception {
        List<String> defs = List.of(
                "p:pc_add " + off(bin, "add") + " a=%di:s32 b=%si:s32 ip=%ip sp0=+0($stack):x64 c=$comm",
                "r:pc_addr " + off(bin, "add") + " rv=$retval:s32 ip=%ip",
                "p:pc_fact " + off(bin, "fact") + " n=%di:s64",
                "r:pc_factr " + off(bin, "fact") + " rv=$retval:s64");
        // add: 3 calls, entry + return; fact(5): 5 nested calls, entry + return
        assertSameAsKernel(defs, List.of(bin.toString(), "3"), 3 * 2 + 5 * 2);
    }

    @Test
    void probesOnInstructionsOfEveryKind() throws Exception {
        Path bin = Fixtures.compile("probe_kinds.c");
        List<String> defs = new ArrayList<>();
        for (String k : List.of("k_push", "k_rip", "k_riprmw", "k_lea", "k_test", "k_jcc", "k_call", "k_icall", "k_jmp",
                "k_nop", "k_pop", "k_ret")) {
            defs.add("p:" + k + " " + off(bin, k) + " ax=%ax bx=%bx di=%di sp=%sp flags=%flags");
        }
        defs.add("r:kinds_ret " + off(bin, "kinds") + " rv=$retval:s64");
        // kinds(0): jz taken, so no call/icall/jmp; kinds(1), kinds(2): every label but the taken branch's
        assertSameAsKernel(defs, List.of(bin.toString(), "3"), 9 + 1 + 2 * (12 + 1));
    }
}
