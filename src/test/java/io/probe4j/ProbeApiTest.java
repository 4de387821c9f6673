package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The public API: handlers, changing the program from a handler, faults, enable/disable, unregister. */
@Timeout(120)
@Tag("integration")
class ProbeApiTest {
    Path out;

    @BeforeEach
    void outputFile() throws Exception {
        out = Files.createTempFile("probe_out", ".txt");
    }

    @AfterEach
    void removeOutput() throws Exception {
        Files.deleteIfExists(out);
    }

    Launch spec(Path bin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        return Launch.of(cmd).withEnvironment(System.getenv()).withStdin(Path.of("/dev/null")).withStdout(out).withStderr(Path.of("/dev/null"));
    }

    static Path calls() {
        return Fixtures.compile("probe_calls.c");
    }

    @Test
    void preHandlerSeesArgumentsAndReturnHandlerTheResult() throws Exception {
        Path bin = calls();
        List<String> seen = new ArrayList<>();
        int status;
        try (Tracer t = Tracer.launch(spec(bin, "4"))) {
            Probe p = t.register(ProbeInfo.symbol(bin, "add")
                    .preHandler(c -> seen.add("add(" + c.register("di") + "," + c.register("si") + ")@" + (c.address() == c.register("ip"))))
                    .returnHandler(c -> seen.add("=" + c.returnValue() + " to " + (c.returnAddress() == c.register("ip"))
                            + " from " + (c.entryAddress() == c.address())))
                    .build());
            assertEquals("add", p.symbol().orElseThrow());
            status = t.run();
        }
        assertEquals(List.of("add(0,0)@true", "=0 to true from true", "add(1,2)@true", "=3 to true from true",
                "add(2,4)@true", "=6 to true from true", "add(3,6)@true", "=9 to true from true"), seen);
        assertEquals(7, status);
        assertEquals("sum 18 fact 120\n", Files.readString(out));
    }

    @Test
    void aReturnHandlerChangesTheReturnValue() throws Exception {
        Path bin = Fixtures.compile("probe_retval.c");
        try (Tracer t = Tracer.launch(spec(bin, "3"))) {
            t.register(ProbeInfo.symbol(bin, "check").returnHandler(c -> {
                if (c.returnValue() == 0) {
                    c.setReturnValue(42);
                }
            }).build());
            assertEquals(0, t.run());
        }
        assertEquals("check(0) = 42\ncheck(1) = 42\ncheck(2) = 42\n", Files.readString(out));
    }

    @Test
    void aPreHandlerChangesAnArgument() throws Exception {
        Path bin = Fixtures.compile("probe_retval.c");
        try (Tracer t = Tracer.launch(spec(bin, "2"))) {
            t.register(ProbeInfo.symbol(bin, "check").preHandler(c -> c.setRegister("di", 1000)).build());
            assertEquals(0, t.run());
        }
        assertEquals("check(0) = 1\ncheck(1) = 1\n", Files.readString(out));
    }

    @Test
    void aThrowingHandlerGoesToTheFaultHandlerAndTheProgramGoesOn() throws Exception {
        Path bin = calls();
        List<String> faults = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        int status;
        try (Tracer t = Tracer.launch(spec(bin, "3"))) {
            t.register(ProbeInfo.symbol(bin, "add")
                    .preHandler(c -> {
                        throw new IllegalStateException("boom " + c.register("di"));
                    })
                    .faultHandler((c, e) -> faults.add(e.getMessage()))
                    .build());
            t.register(ProbeInfo.symbol(bin, "add").preHandler(c -> after.add(c.register("di"))).build());
            t.register(ProbeInfo.symbol(bin, "fact").preHandler(c -> c.readMemory(0, 8)).build()); // faults, no fault handler
            status = t.run();
        }
        assertEquals(List.of("boom 0", "boom 1", "boom 2"), faults);
        assertEquals(List.of(0L, 1L, 2L), after, "the other probe at the same address still ran");
        assertEquals(7, status);
        assertEquals("sum 9 fact 120\n", Files.readString(out));
    }

    /** The state letter of a thread in /proc ('t': stopped by its tracer). */
    static char state(int pid, int tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    @Test
    void workAfterResumeRunsOncePerHitInOrderAndItsFailuresReachTheFaultHandler() throws Exception {
        Path bin = calls();
        List<String> seen = new ArrayList<>();
        List<String> faults = new ArrayList<>();
        int status;
        try (Tracer t = Tracer.launch(spec(bin, "3"))) {
            t.register(ProbeInfo.symbol(bin, "add")
                    .preHandler(c -> {
                        long a = c.register("di");
                        seen.add("hit " + a + " " + state(c.pid(), c.tid()));
                        c.afterResume(() -> {
                            seen.add("after " + a + " of " + c.tid() + " at 0x" + Long.toHexString(c.address()));
                            if (a == 1) {
                                throw new IllegalStateException("late boom " + a);
                            }
                        });
                    })
                    .faultHandler((c, e) -> faults.add(e.getMessage()))
                    .build());
            status = t.run();
        }
        assertEquals(6, seen.size(), seen.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals("hit " + i + " t", seen.get(2 * i), "handlers run with the thread stopped by us");
            assertTrue(seen.get(2 * i + 1).startsWith("after " + i + " of "), seen.toString());
        }
        assertEquals(List.of("late boom 1"), faults);
        assertEquals(7, status);
        assertEquals("sum 9 fact 120\n", Files.readString(out));
    }

    @Test
    void postHandlersRunAfterTheInstructionOutOfLineAndEmulated() throws Exception {
        Path bin = Fixtures.compile("probe_kinds.c");
        long rip = io.probe4j.engine.kernel.KernelFixtures.fileOffset(bin, "k_rip"); // mov g_counter(%rip),%rax: out of line
        long push = io.probe4j.engine.kernel.KernelFixtures.fileOffset(bin, "k_push"); // push %rbx: emulated
        List<String> seen = new ArrayList<>();
        try (Tracer t = Tracer.launch(spec(bin, "2"))) {
            t.register(ProbeInfo.address(bin, rip)
                    .preHandler(c -> seen.add("pre ax=" + c.register("ax")))
                    .postHandler(c -> seen.add("post ax=" + c.register("ax") + " ip=+" + (c.register("ip") - c.address())))
                    .build());
            t.register(ProbeInfo.address(bin, push)
                    .postHandler(c -> seen.add("post push sp moved " + (c.register("sp") - c.readLong(c.register("sp") - 0))))
                    .eventCallback(c -> seen.add("event push"))
                    .build());
            assertEquals(0, t.run());
        }
        // g_counter starts at 5 and kinds() adds 1 per call; the pushed value is rbx
        assertEquals(6, seen.stream().filter(s -> s.startsWith("post") || s.startsWith("event")).count()
                + seen.stream().filter(s -> s.startsWith("pre")).count() - 2, seen.toString());
        assertTrue(seen.contains("post ax=5 ip=+7"), seen.toString());
        assertTrue(seen.contains("post ax=6 ip=+7"), seen.toString());
        assertEquals("kinds(0) = -1\nkinds(1) = 3\ncounter 7\n", Files.readString(out));
    }

    @Test
    void disabledProbesKeepTheBreakpointButSkipHandlers() throws Exception {
        Path bin = Fixtures.compile("probe_retval.c");
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        try (Tracer t = Tracer.launch(spec(bin, "6"))) {
            Probe[] p = new Probe[1];
            p[0] = t.register(ProbeInfo.symbol(bin, "check").enabled(false).preHandler(c -> {
                seen.add(c.register("di"));
            }).build());
            Probe counter = t.register(ProbeInfo.symbol(bin, "check").preHandler(c -> {
                if (c.register("di") == 1) {
                    p[0].enable();
                }
                if (c.register("di") == 3) {
                    p[0].disable();
                }
            }).build());
            assertTrue(!p[0].isEnabled() && counter.isEnabled());
            assertEquals(0, t.run());
        }
        // handlers run in registration order: the switch made while check(1) is handled counts from check(2) on,
        // the one made at check(3) after the disabled-then-enabled probe already ran for it
        assertEquals(List.of(2L, 3L), seen);
    }

    @Test
    void registeringAndUnregisteringWhileTheProgramRuns() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        long[] where = new long[1];
        long rounds = 2000; // with 1 ms pauses: time to register while it runs
        try (Tracer t = Tracer.launch(spec(bin, "" + rounds, "1000"))) {
            t.start();
            Probe p = t.register(ProbeInfo.symbol(bin, "work").preHandler(c -> {
                where[0] = c.address();
                seen.add(c.register("si"));
            }).build());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (seen.size() < 50 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            p.unregister();
            int n = seen.size();
            byte[] now = new byte[1];
            try (io.probe4j.sys.ProcessMemory m = new io.probe4j.sys.ProcessMemory(t.pid())) {
                assertEquals(1, m.read(where[0], now));
            }
            assertEquals(Files.readAllBytes(bin)[(int) io.probe4j.engine.kernel.KernelFixtures.fileOffset(bin, "work")], now[0],
                    "the original instruction is back");
            assertTrue(n >= 50, "hits: " + n);
            assertEquals(3, t.waitFor());
            assertEquals(n, seen.size(), "no hits after unregister");
        }
        long total = 4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * (0 + 1 + 2 + 3);
        assertEquals("total " + total + "\n", Files.readString(out));
    }

    @Test
    void theEventCallbackIsReplacedAtRunTime() throws Exception {
        Path bin = calls();
        List<String> seen = new ArrayList<>();
        try (Tracer t = Tracer.launch(spec(bin, "4"))) {
            Probe[] p = new Probe[1];
            ProbeHandler second = c -> seen.add("second " + c.register("di"));
            p[0] = t.register(ProbeInfo.symbol(bin, "add")
                    .eventCallback(c -> {
                        seen.add("first " + c.register("di"));
                        p[0].updateEventCallback(second);
                    }).build());
            assertEquals(7, t.run());
        }
        // the callback runs after the instruction (lea (%rdi,%rsi),%eax leaves di alone)
        assertEquals(List.of("first 0", "second 1", "second 2", "second 3"), seen);
    }

    @Test
    void whatTheTracerKeptForAThreadGoesWithIt() throws Exception {
        Path bin = Fixtures.compile("probe_manythreads.c", "-pthread");
        long[] fds = new long[2];
        List<String> names = Collections.synchronizedList(new ArrayList<>());
        try (Tracer t = Tracer.launch(spec(bin))) {
            t.register(ProbeInfo.symbol(bin, "mark").preHandler(c -> {
                names.add(c.comm()); // opens what the tracer keeps per thread
                long i = c.register("di");
                if (i == 0 || i == -1) {
                    try (var s = Files.list(Path.of("/proc/self/fd"))) {
                        fds[i == 0 ? 0 : 1] = s.count();
                    }
                }
            }).build());
            assertEquals(0, t.run());
        }
        assertEquals(102, names.size());
        assertTrue(fds[1] - fds[0] < 10, "descriptors open after 100 threads ended: " + fds[0] + " before, " + fds[1] + " after");
        assertEquals("100 threads came and went\n", Files.readString(out));
    }

    @Test
    void childrenThatAreNotFollowedAreLetGo() throws Exception {
        Path bin = Fixtures.compile("probe_unfollowed.c");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Tracer t = Tracer.launch(spec(bin)).followChildren(false)) {
            t.register(ProbeInfo.symbol(bin, "add").preHandler(c -> seen.add("add " + c.register("di"))).build());
            assertEquals(0, t.run());
        }
        assertEquals(List.of("add 1", "add 4"), seen);
        assertEquals("""
                parent: traced, add 2
                fork child: not traced, add 4
                vfork child's program: not traced, add 6
                parent again: traced, add 8
                """, Files.readString(out));
    }

    @Test
    void childrenThatAreFollowedStayTraced() throws Exception {
        Path bin = Fixtures.compile("probe_unfollowed.c");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Tracer t = Tracer.launch(spec(bin))) {
            t.register(ProbeInfo.symbol(bin, "add").preHandler(c -> seen.add("add " + c.register("di"))).build());
            assertEquals(0, t.run());
        }
        assertEquals(List.of("add 1", "add 2", "add 3", "add 4"), seen);
        assertEquals("""
                parent: traced, add 2
                fork child: traced, add 4
                vfork child's program: traced, add 6
                parent again: traced, add 8
                """, Files.readString(out));
    }

    @Test
    void childrenThatAreNotFollowedRunWithoutBreakpoints() throws Exception {
        Path bin = Fixtures.compile("probe_forkexec.c");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        int pid;
        try (Tracer t = Tracer.launch(spec(bin)).followChildren(false)) {
            t.register(ProbeInfo.symbol(bin, "add")
                    .preHandler(c -> seen.add(c.pid() + " add " + c.register("di") + "," + c.register("si")))
                    .build());
            t.register(ProbeInfo.symbol(bin, "forker").returnHandler(c -> seen.add(c.pid() + " forker=" + c.returnValue())).build());
            t.start();
            pid = t.pid();
            assertEquals(5, t.waitFor());
        }
        // the fork child (add 10,100, its forker return) and the vfork child's program (add 7,7) are not probed;
        // the launched process is, also after its own exec
        assertEquals(List.of(pid + " add 1,1", pid + " add 10,200", pid + " forker=210", pid + " add 40,2"), seen);
        assertEquals("forker 110 in child\nforker 210 in parent\nvfork child status 0\nexec'ed: 42\n", Files.readString(out));
    }
}
