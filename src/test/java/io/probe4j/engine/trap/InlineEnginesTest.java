package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --engine inline} on the trap engine's fixtures: the same events as the trap engine, or as the
 * kernel's uprobes where the trap engine cannot follow (each
 * thread's in order; time and CPU aside), the program's output and status as untraced, and the probes
 * really inline (no line says a probe fell back to the trap engine, except where the test expects it).
 */
@Timeout(180)
@Tag("integration")
class InlineEnginesTest {

    /** The fixtures' add(a, b) is 4 bytes long: the jump does not fit, entry and return probes there fall back. */
    private static final String ADD_FALLS_BACK = "probe4j: uprobes/pi_add runs on the trap engine: no room for the jump: "
            + "the ret at +0x3 ends the run before 5 bytes: what follows it is reached only by jumps\n"
            + "probe4j: uprobes/pi_addr runs on the trap engine: another probe at its address runs on the trap engine "
            + "(no room for the jump: the ret at +0x3 ends the run before 5 bytes: what follows it is reached only by jumps)";

    private static void assertSameAsTrap(List<String> defs, List<String> command, int expectedEvents,
            Function<BothEngines.Run, String> view, String expectedFallbacks) throws Exception {
        assertSameAs("trap", defs, command, expectedEvents, view, expectedFallbacks);
    }

    /** {@code --engine inline} against {@code oracle}, the trap or the kernel engine. */
    private static void assertSameAs(String oracle, List<String> defs, List<String> command, int expectedEvents,
            Function<BothEngines.Run, String> view, String expectedFallbacks) throws Exception {
        BothEngines.Run trap = BothEngines.run(oracle, defs, command);
        BothEngines.Run inline = BothEngines.run("inline", defs, command);
        assertEquals(expectedEvents, trap.events().size(), oracle + " events:\n" + String.join("\n", trap.events()) + trap.err());
        assertEquals(view.apply(trap), view.apply(inline), inline.err());
        BothEngines.Run plain = BothEngines.untraced(command);
        assertEquals(plain.programOut(), inline.programOut(), "traced output equals untraced");
        assertEquals(plain.status(), inline.status(), "traced status equals untraced");
        String fallbacks = String.join("\n", inline.err().lines().filter(l -> l.contains("runs on the trap engine")).toList());
        assertEquals(expectedFallbacks, fallbacks, inline.err());
        assertFalse(inline.err().lines().anyMatch(l -> l.startsWith("probe4j:") && !l.contains("runs on the trap engine")),
                inline.err());
    }

    private static void assertSameAsTrap(List<String> defs, List<String> command, int expectedEvents) throws Exception {
        assertSameAsTrap(defs, command, expectedEvents, r -> String.join("\n", r.events()), "");
    }

    @Test
    void entryAndReturnWithRecursionAndAFallbackThatSaysWhy() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        assertSameAsTrap(List.of(
                "p:pi_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "p:pi_fact " + off(bin, "fact") + " n=%di:s64 s=+0($stack):x64",
                "r:pi_factr " + off(bin, "fact") + " rv=$retval:s64"), List.of(bin.toString(), "4"), 4 + 5 + 5,
                r -> String.join("\n", r.events()),
                "probe4j: uprobes/pi_add runs on the trap engine: no room for the jump: the ret at +0x3 ends the run "
                        + "before 5 bytes: what follows it is reached only by jumps");
    }

    @Test
    void threads() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        assertSameAsTrap(List.of(
                "p:pi_work " + off(bin, "work") + " idx=%di:s64 j=%si:s64 name=$comm",
                "r:pi_workr " + off(bin, "work") + " rv=$retval:s64"), List.of(bin.toString(), "10"), 4 * 10 * 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), "");
    }

    @Test
    void forkVforkAndExec() throws Exception {
        Path bin = Fixtures.compile("probe_forkexec.c");
        assertSameAsTrap(List.of(
                "p:pi_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "r:pi_addr " + off(bin, "add") + " rv=$retval:s32",
                "p:pi_forker " + off(bin, "forker") + " x=%di:s32",
                "r:pi_forkerr " + off(bin, "forker") + " rv=$retval:s32"), List.of(bin.toString()), 5 * 2 + 1 + 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), ADD_FALLS_BACK);
    }

    /**
     * A vfork child's hits (entries and returns) carry its own pid and tid, as the trap engine's, though
     * it runs in its parent's memory on its parent's thread control block; a thread of the parent that
     * hits meanwhile keeps its own, and so does the vfork child's own vfork child, and the child after it.
     */
    @Test
    void vforkChildrenHaveTheirOwnIds() throws Exception {
        Path bin = Fixtures.compile("probe_vfork_ids.c", "-pthread");
        assertSameAsTrap(List.of(
                "p:pi_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "r:pi_addr " + off(bin, "add") + " rv=$retval:s32"), List.of(bin.toString()), 6 * 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), "");
    }

    /**
     * Threads end (pthread_exit) 41 hijacked returns deep; the next threads get their stacks and thread
     * control blocks and recurse as deep from further down: their return stacks start empty, so none of
     * their returns is lost to the depth cap (64) or given a dead thread's address.
     */
    @Test
    void threadsThatEndWithPendingReturnsLeaveNothingToTheNext() throws Exception {
        Path bin = Fixtures.compile("probe_thread_exit.c", "-pthread");
        assertSameAsTrap(List.of(
                "p:pi_down " + off(bin, "down") + " n=%di:s64",
                "r:pi_downr " + off(bin, "down") + " rv=$retval:s64"), List.of(bin.toString()), 2 * 41 * 3,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), "");
    }

    /**
     * More threads, one after another, than the return stacks have slots (1024), each with a thread
     * control block at a new address: the slot of a thread that ended is claimed again, so none of their
     * returns is lost.
     */
    @Test
    void moreThreadsThanReturnStackSlots() throws Exception {
        Path bin = Fixtures.compile("probe_many_tcbs.c", "-pthread");
        assertSameAsTrap(List.of("r:pi_oncer " + off(bin, "once") + " rv=$retval:s64"), List.of(bin.toString()), 1100);
    }

    /**
     * C++ exceptions thrown through frames whose returns are hijacked: the program catches them (the
     * unwinder sees the real return addresses), the unwound frames report no return, the catching ones do.
     */
    @Test
    void cxxExceptionsThroughPendingReturns() throws Exception {
        Path bin = ProbeExceptionsTest.bin();
        assertSameAsTrap(List.of(
                "p:pi_thr " + off(bin, "_Z7throweri") + " n=%di:s32",
                "r:pi_thrr " + off(bin, "_Z7throweri") + " rv=$retval:s32",
                "r:pi_calr " + off(bin, "_Z6calleri") + " rv=$retval:s32"), List.of(bin.toString(), "2"), 3 + 1 + 4 + 1);
    }

    /**
     * A static executable (no loader, so no rendezvous): patched where its C library has set up the
     * thread, before the constructors run.
     */
    @Test
    void staticExecutable() throws Exception {
        io.probe4j.testing.Skip.PLATFORM.unless(java.nio.file.Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libc.a")),
                "no static C library (/usr/lib/x86_64-linux-gnu/libc.a, package libc6-dev) to link a static fixture with");
        Path bin = Fixtures.compileAs("probe_static", "probe_static.c", "-static");
        assertSameAsTrap(List.of(
                "p:pi_fact " + off(bin, "fact") + " n=%di:s64",
                "r:pi_factr " + off(bin, "fact") + " rv=$retval:s64"), List.of(bin.toString(), "4"), (2 + 4) * 2);
    }

    @Test
    void longjmpPastPendingReturns() throws Exception {
        Path bin = Fixtures.compile("probe_longjmp.c");
        assertSameAsTrap(List.of(
                "p:pi_deep " + off(bin, "deep") + " n=%di:s32",
                "r:pi_deepr " + off(bin, "deep") + " rv=$retval:s32"), List.of(bin.toString(), "4"), 5 + 3 * 2);
    }

    @Test
    void tailCallsAndTheDepthCap() throws Exception {
        Path bin = Fixtures.compile("probe_tail.c");
        assertSameAsTrap(List.of(
                "p:pi_a " + off(bin, "tail_a") + " x=%di:s64",
                "r:pi_ar " + off(bin, "tail_a") + " rv=$retval:s64",
                "p:pi_b " + off(bin, "tail_b") + " x=%di:s64",
                "r:pi_br " + off(bin, "tail_b") + " rv=$retval:s64",
                "r:pi_recr " + off(bin, "rec") + " rv=$retval:s64"), List.of(bin.toString(), "70"), 2 * 4 + 64);
    }

    /**
     * The SIGTRAP handler is probed too: the kernel's uprobes and the inline engine have no int3 there
     * to run into while SIGTRAP is blocked (the trap engine cannot do that one: the fixture says why).
     */
    @Test
    @io.probe4j.testing.Kernel
    void signalHandlersAndTheProgramsOwnSigtrapLikeTheKernel() throws Exception {
        Path bin = Fixtures.compile("probe_signals.c");
        assertSameAs("kernel", List.of(
                "p:pi_sig " + off(bin, "on_signal") + " sig=%di:s32",
                "r:pi_sigr " + off(bin, "on_signal"),
                "p:pi_trap " + off(bin, "on_trap") + " sig=%di:s32"), List.of(bin.toString()), 2 * 2 + 2,
                r -> String.join("\n", r.events()), "");
    }

    @Test
    void libraryLoadedAtStartAndByDlopen() throws Exception {
        Path lib = Fixtures.compileAs("probe_lib.so", "probe_lib.c", "-shared", "-fPIC");
        Path bin = Fixtures.compile("probe_dlopen.c", "-ldl");
        assertSameAsTrap(List.of(
                "p:pi_mul " + off(lib, "lib_mul") + " a=%di:s32 b=%si:s32",
                "r:pi_mulr " + off(lib, "lib_mul") + " rv=$retval:s32"), List.of(bin.toString(), lib.toString()), 6 * 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), "");
    }

    /**
     * dlopen while three other threads run: the library is patched with every thread of the process
     * stopped, and no call into it is lost (each thread's entries and returns as the trap engine's).
     */
    @Test
    void libraryLoadedByDlopenWhileThreadsRun() throws Exception {
        Path lib = Fixtures.compileAs("probe_lib.so", "probe_lib.c", "-shared", "-fPIC");
        Path bin = Fixtures.compile("probe_dlopen_threads.c", "-pthread", "-ldl");
        assertSameAsTrap(List.of(
                "p:pi_mul " + off(lib, "lib_mul") + " a=%di:s32 b=%si:s32",
                "r:pi_mulr " + off(lib, "lib_mul") + " rv=$retval:s32"), List.of(bin.toString(), lib.toString()),
                (1 + 3 * 3) * 2, r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)), "");
    }

    @Test
    void badPointersRecordWhatTheTrapEngineRecordsAndTheProgramRunsOn() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        // n is no address: each load faults in the trampoline, the tracer sends the thread to the fixup
        assertSameAsTrap(List.of("p:pi_bad " + off(bin, "fact") + " n=%di:s64 v=+0(%di):x64 s=+0(%di):string "
                + "a=+8(+0(%di)):u32[2]"), List.of(bin.toString(), "2"), 5);
    }

    /**
     * libc, named as users name it ({@code libc}: /lib/x86_64-linux-gnu/libc.so.6, a path through a
     * symbolic link where /proc/PID/maps shows /usr/lib/...): patched at the loader's rendezvous, in the
     * shell, setarch and printenv, one exec after another.
     */
    @Test
    void libcThroughExecs() throws Exception {
        List<String> defs = List.of("p:pi_getenv libc:getenv name=+0(%di):string", "r:pi_getenvr libc:getenv rv=$retval:x64");
        BothEngines.Run trap = BothEngines.run("trap", defs, List.of("/usr/bin/printenv", "HOME"));
        assertTrue(trap.events().stream().anyMatch(e -> e.startsWith("printenv|") && e.contains("|pi_getenv:")),
                String.join("\n", trap.events()));
        // setarch runs before address space randomisation is off: its addresses differ from run to run
        assertSameAsTrap(defs, List.of("/usr/bin/printenv", "HOME"), trap.events().size(),
                r -> String.join("\n", r.events().stream().filter(e -> e.startsWith("printenv|")).toList()), "");
    }

    /**
     * Hits right before an exec (a burst of getenv calls, then execv of printenv, whose libc lies elsewhere):
     * those still in the rings at the exec stop keep the old program's name and its getenv's address, as
     * the trap engine gives them, though the kernel renamed the thread and the probes moved before the
     * reader took or decoded them.
     */
    @Test
    void hitsJustBeforeAnExecKeepTheOldProgramsNameAndAddress() throws Exception {
        Path bin = Fixtures.compile("probe_execburst.c", "-Wl,--no-as-needed", "-lm");
        List<String> defs = List.of("p:pi_getenv libc:getenv name=+0(%di):string");
        List<String> command = List.of(bin.toString(), "/usr/bin/printenv", "HOME");
        // sh and setarch run before address space randomisation is off: their lines are left out
        Function<BothEngines.Run, String> view = r -> String.join("\n", r.events().stream()
                .filter(e -> e.startsWith("probe_execburst|") || e.startsWith("printenv|")).toList());
        BothEngines.Run trap = BothEngines.run("trap", defs, command);
        String expected = view.apply(trap);
        assertEquals(300, expected.lines().filter(l -> l.startsWith("probe_execburst|")).count(), expected);
        assertTrue(expected.contains("printenv|"), expected);
        BothEngines.Run inline = BothEngines.run("inline", defs, command);
        assertEquals(expected, view.apply(inline), inline.err());
        assertEquals(BothEngines.untraced(command).programOut(), inline.programOut(), "traced output equals untraced");
    }
}
