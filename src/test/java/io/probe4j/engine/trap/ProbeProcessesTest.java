package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads, fork, vfork, exec, dlopen, signals, longjmp: the trap engine's events equal the kernel's.
 * Where several threads or processes run at once, each thread's sequence of events is compared (the
 * interleaving differs from run to run).
 */
@Timeout(180)
@Kernel
class ProbeProcessesTest {

    /** Each thread's events (thread number dropped), sorted: comparable across runs. */
    static List<String> perThread(BothEngines.Run r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : r.byThread().entrySet()) {
            out.add(String.join("\n", e.getValue().stream().map(l -> l.substring(l.indexOf('|') + 1)).toList()));
        }
        out.sort(null);
        return out;
    }

    static void assertSameThreadsAsKernel(List<String> defs, List<String> command, int expectedEvents) throws Exception {
        ProbeKernelTest.assertSameAsKernel(defs, command, expectedEvents, r -> String.join("\n---\n", perThread(r)));
    }

    @Test
    void threads() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        assertSameThreadsAsKernel(List.of(
                "p:pt_work " + off(bin, "work") + " idx=%di:s64 j=%si:s64 name=$comm",
                "r:pt_workr " + off(bin, "work") + " rv=$retval:s64"), List.of(bin.toString(), "10"), 4 * 10 * 2);
    }

    @Test
    void threadNamesAreTheTasksNames() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        BothEngines.Run trap = BothEngines.run("trap", List.of("p:pt_name " + off(bin, "work") + " idx=%di:s64"),
                List.of(bin.toString(), "2"));
        for (String e : trap.events()) {
            String idx = e.substring(e.indexOf("idx=") + 4);
            assertEquals("worker-" + idx, e.substring(0, e.indexOf('|')), e);
        }
        assertEquals(8, trap.events().size());
    }

    @Test
    void forkVforkAndExec() throws Exception {
        Path bin = Fixtures.compile("probe_forkexec.c");
        // add: main 1, fork child 1, parent 1, vfork child's exec'ed image 1, exec'ed image 1 (entry + return each);
        // forker: entry once, returns twice (the child inherits the pending return)
        assertSameThreadsAsKernel(List.of(
                "p:pf_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "r:pf_addr " + off(bin, "add") + " rv=$retval:s32",
                "p:pf_forker " + off(bin, "forker") + " x=%di:s32",
                "r:pf_forkerr " + off(bin, "forker") + " rv=$retval:s32"), List.of(bin.toString()), 5 * 2 + 1 + 2);
    }

    @Test
    void dlopenedLibrary() throws Exception {
        Path lib = Fixtures.compileAs("probe_lib.so", "probe_lib.c", "-shared", "-fPIC");
        Path bin = Fixtures.compile("probe_dlopen.c", "-ldl");
        assertSameThreadsAsKernel(List.of(
                "p:pd_mul " + off(lib, "lib_mul") + " a=%di:s32 b=%si:s32",
                "r:pd_mulr " + off(lib, "lib_mul") + " rv=$retval:s32"), List.of(bin.toString(), lib.toString()), 6 * 2);
    }

    @Test
    void signalHandlersAndTheProgramsOwnSigtrap() throws Exception {
        Path bin = Fixtures.compile("probe_signals.c");
        ProbeKernelTest.assertSameAsKernel(List.of(
                "p:ps_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "r:ps_addr " + off(bin, "add") + " rv=$retval:s32"), List.of(bin.toString()), 4 * 2);
    }

    @Test
    void longjmpPastPendingReturns() throws Exception {
        Path bin = Fixtures.compile("probe_longjmp.c");
        // deep(4..0) entered, longjmp skips all five returns; deep(2..0) then returns normally
        ProbeKernelTest.assertSameAsKernel(List.of(
                "p:pl_deep " + off(bin, "deep") + " n=%di:s32",
                "r:pl_deepr " + off(bin, "deep") + " rv=$retval:s32"), List.of(bin.toString(), "4"), 5 + 3 * 2);
    }

    @Test
    void tailCallsAndTheDepthCap() throws Exception {
        Path bin = Fixtures.compile("probe_tail.c");
        // tail_a x2 (entry, and its return chained with tail_b's), tail_b x2; rec(70): 71 entries, the
        // returns of the 64 outermost frames (deeper ones are skipped, as the kernel counts them)
        ProbeKernelTest.assertSameAsKernel(List.of(
                "p:pt_a " + off(bin, "tail_a") + " x=%di:s64",
                "r:pt_ar " + off(bin, "tail_a") + " rv=$retval:s64",
                "p:pt_b " + off(bin, "tail_b") + " x=%di:s64",
                "r:pt_br " + off(bin, "tail_b") + " rv=$retval:s64",
                "r:pt_recr " + off(bin, "rec") + " rv=$retval:s64"), List.of(bin.toString(), "70"), 2 * 4 + 64);
    }

    @Test
    void profileCountsAgreeWithTheKernel() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        List<String> defs = List.of("p:pc_prof_add " + off(bin, "add") + " a=%di", "r:pc_prof_fact " + off(bin, "fact"));
        List<String> outs = new ArrayList<>();
        for (String engine : List.of("kernel", "trap")) {
            List<String> args = new ArrayList<>(List.of("trace", "--engine", engine, "--profile"));
            args.addAll(defs);
            args.addAll(List.of("--", "/bin/sh", "-c", "exec \"$0\" 4 >/dev/null", bin.toString()));
            io.probe4j.testing.Cli.Result r = io.probe4j.testing.Cli.run(args.toArray(String[]::new));
            assertEquals(7, r.status(), r.err());
            outs.add(r.out());
        }
        assertEquals(outs.get(0), outs.get(1));
        assertEquals(2, outs.get(1).lines().count(), outs.get(1));
    }

    @Test
    void jsonLinesCarryTheSameEventsAsTheKernelEngine() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        List<String> outs = new ArrayList<>();
        for (String engine : List.of("kernel", "trap")) {
            io.probe4j.testing.Cli.Result r = io.probe4j.testing.Cli.run("trace", "--engine", engine, "--format", "json",
                    "p:pc_json " + off(bin, "add") + " a=%di:s32 s=+0($stack):x64", "--", "/bin/sh", "-c",
                    "exec setarch -R \"$0\" 2 >/dev/null", bin.toString());
            assertEquals(7, r.status(), r.err());
            // drop what differs between runs: time, cpu, ids, and the task name the kernel may not know yet
            outs.add(r.out().replaceAll("\"(timestamp_ns|cpu|pid|tid)\":[0-9.]+", "").replaceAll("\"comm\":\"[^\"]*\"", ""));
        }
        assertEquals(outs.get(0), outs.get(1));
    }
}
