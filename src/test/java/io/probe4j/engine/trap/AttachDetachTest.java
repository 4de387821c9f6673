package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.Origin;
import io.probe4j.engine.ptrace.SessionEnd;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Spawn;
import io.probe4j.testing.Await;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attaching to running processes, detaching on every path, and living next to the JDK's process reaper. */
@Timeout(120) // a tracer bug shows as a hang: fail instead
@Tag("integration")
class AttachDetachTest {
    private static final String STEPS = "80"; // 80 x 10 ms per thread: time enough to attach on a loaded machine

    private static String untraced;

    /** The output of an untraced run (the oracle), computed once. */
    private static synchronized String untracedChecksum() throws Exception {
        if (untraced == null) {
            untraced = Runs.untraced(List.of(Fixtures.compile("trap_spin.c", "-pthread").toString(), STEPS)).stdout();
        }
        return untraced;
    }

    /**
     * Starts trap_spin as an orphan (its shell parent exits at once), writing to {@code out}, and waits
     * until both its threads run. Not a child of this JVM: see {@link #attachToAChildOfThisJvmIsRefused}.
     */
    private static int startOrphanSpin(Path out) throws Exception {
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + STEPS + " >\"$1\" 2>/dev/null </dev/null & echo $!",
                Fixtures.compile("trap_spin.c", "-pthread").toString(), out.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        assertEquals(0, sh.waitFor());
        // "ready" comes before the second thread: tests count both
        Await.until("trap_spin's second thread", () -> Files.readString(out).contains("ready") && Procfs.tasks(pid).size() == 2);
        return pid;
    }

    private static void awaitGone(int pid) throws InterruptedException {
        for (int i = 0; i < 3000 && Files.exists(Path.of("/proc/" + pid)); i++) {
            Thread.sleep(10);
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " did not end");
    }

    @Test
    void attachToARunningProcessStopsAllItsThreadsThenDetachLetsItFinish() throws Exception {
        String expected = untracedChecksum();
        Path out = Files.createTempFile("trap_spin", ".out");
        try {
            int pid = startOrphanSpin(out);
            RecordingHooks hooks = new RecordingHooks();
            try (TraceSession s = TraceSession.attach(pid, hooks)) {
                assertEquals(List.of("ATTACHED"), hooks.seen);
                List<Integer> tids = s.withStopped(pid, sp -> {
                    for (StoppedThread t : sp.threads()) {
                        assertNotEquals(0, t.regs().ip());
                        assertEquals('t', Procfs.state(sp.pid(), t.tid())); // traced-stopped, as ps shows it
                    }
                    return sp.threads().stream().map(StoppedThread::tid).toList();
                });
                assertEquals(Procfs.tasks(pid), tids.stream().sorted().toList());
                assertEquals(2, tids.size());
                assertInstanceOf(SessionEnd.Detached.class, s.detach());
                assertEquals(List.of("ATTACHED", "detach"), hooks.seen);
            }
            awaitGone(pid);
            assertEquals(expected, Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void attachedProcessRunningToItsEndGivesItsStatusToTheTracer() throws Exception {
        Path out = Files.createTempFile("trap_spin", ".out");
        try {
            int pid = startOrphanSpin(out);
            try (TraceSession s = TraceSession.attach(pid, TraceHooks.NONE)) {
                assertEquals(new SessionEnd.Exited(0), s.waitFor());
            }
            awaitGone(pid);
            assertTrue(Files.readString(out).contains("checksum"));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void attachToAChildOfThisJvmIsRefused() throws Exception {
        Process p = new ProcessBuilder(Fixtures.compile("trap_spin.c", "-pthread").toString(), "5").start();
        try {
            UserException e = assertThrows(UserException.class, () -> TraceSession.attach((int) p.pid(), TraceHooks.NONE));
            assertTrue(e.getMessage().contains("child of this JVM"), e.getMessage());
            assertEquals(0, p.waitFor()); // untouched
        } finally {
            p.destroy();
        }
    }

    @Test
    void attachToAMissingProcessIsAUserMistake() {
        UserException e = assertThrows(UserException.class, () -> TraceSession.attach(Integer.MAX_VALUE - 7, TraceHooks.NONE));
        assertTrue(e.getMessage().contains("no such process"), e.getMessage());
    }

    @Test
    void closingTheSessionWhileTheProgramRunsDetachesAndTheProgramFinishes() throws Exception {
        String expected = untracedChecksum();
        Path outFile = Files.createTempFile("trap_spin", ".out");
        try {
            LaunchSpec spec = new LaunchSpec(List.of(Fixtures.compile("trap_spin.c", "-pthread").toString(), STEPS),
                    System.getenv(), new Spawn.Stdio("/dev/null", outFile.toString(), "/dev/null"));
            int pid;
            try (TraceSession s = TraceSession.launch(spec, TraceHooks.NONE)) {
                pid = s.pid();
                while (!Files.readString(outFile).contains("ready")) {
                    Thread.sleep(5);
                }
                assertEquals(List.of(pid), s.processes());
            } // close(): detach from another thread while the program runs
            awaitGone(pid); // ends, and is reaped by the tracer thread that launched it: no zombie left
            assertEquals(expected, Files.readString(outFile));
        } finally {
            Files.deleteIfExists(outFile);
        }
    }

    @Test
    void anExceptionInAHookDetachesAndIsRethrown() throws Exception {
        TraceHooks failing = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                throw new IllegalStateException("hook failed on purpose");
            }
        };
        Path outFile = Files.createTempFile("trap_int3", ".out");
        try {
            LaunchSpec spec = new LaunchSpec(List.of(Fixtures.compile("trap_int3_loop.c").toString(), "3", "handle"),
                    System.getenv(), new Spawn.Stdio("/dev/null", outFile.toString(), "/dev/null"));
            TraceSession s = TraceSession.launch(spec, failing);
            IllegalStateException e = assertThrows(IllegalStateException.class, s::waitFor);
            assertEquals("hook failed on purpose", e.getMessage());
            // detached with its SIGTRAP still to be delivered: the program's handler gets all three
            for (int i = 0; i < 500 && !Files.readString(outFile).contains("done"); i++) {
                Thread.sleep(10);
            }
            assertEquals("3 int3 done\n", Files.readString(outFile));
        } finally {
            Files.deleteIfExists(outFile);
        }
    }

    @Test
    void theJdkReaperAndTheTracerDoNotStealEachOthersChildren() throws Exception {
        Path outFile = Files.createTempFile("trap_spin", ".out");
        try {
            LaunchSpec spec = new LaunchSpec(List.of(Fixtures.compile("trap_spin.c", "-pthread").toString(), "20"),
                    System.getenv(), new Spawn.Stdio("/dev/null", outFile.toString(), "/dev/null"));
            try (TraceSession s = TraceSession.launch(spec, TraceHooks.NONE)) {
                // while the tracer waits for any of its tracees, the JDK starts and reaps its own children
                for (int i = 0; i < 5; i++) {
                    Process p = new ProcessBuilder("/bin/sh", "-c", "exit " + (10 + i)).start();
                    assertEquals(10 + i, p.waitFor());
                }
                assertEquals(new SessionEnd.Exited(0), s.waitFor());
            }
            assertTrue(Files.readString(outFile).contains("checksum"));
        } finally {
            Files.deleteIfExists(outFile);
        }
    }

    @Test
    void remoteMmapNearTheProgramShowsInMapsAndIsGoneAfterDetach() throws Exception {
        long[] slot = new long[2];
        TraceHooks hooks = new TraceHooks() {
            @Override
            public void onNewProcess(StoppedProcess p, Origin origin, int parentPid) {
                Mapping text = p.maps().stream().filter(m -> m.executable() && m.path().endsWith("trap_spin")).findFirst().orElseThrow();
                slot[0] = text.start();
                slot[1] = p.mmapNear(text.start(), 4096, "probe4j-xol");
            }

            @Override
            public void beforeDetach(StoppedProcess p) {
                p.munmap(slot[1], 4096);
            }
        };
        Path outFile = Files.createTempFile("trap_spin", ".out");
        try {
            LaunchSpec spec = new LaunchSpec(List.of(Fixtures.compile("trap_spin.c", "-pthread").toString(), STEPS),
                    System.getenv(), new Spawn.Stdio("/dev/null", outFile.toString(), "/dev/null"));
            int pid;
            try (TraceSession s = TraceSession.launch(spec, hooks)) {
                pid = s.pid();
                Mapping m = Procfs.maps(pid).stream().filter(x -> x.start() == slot[1]).findFirst().orElseThrow();
                assertEquals("r-xp", m.perms());
                assertEquals(4096, m.end() - m.start());
                assertTrue(Math.abs(m.start() - slot[0]) < (1L << 31), "not within 2 GiB of the text");
                assertTrue(m.path().equals("[anon:probe4j-xol]") || m.path().isEmpty(), m.path());
                s.detach();
                assertTrue(Procfs.maps(pid).stream().noneMatch(x -> x.contains(slot[1])), "still mapped after detach");
            }
            for (int i = 0; i < 500 && !Files.readString(outFile).contains("checksum"); i++) {
                Thread.sleep(10);
            }
            assertTrue(Files.readString(outFile).contains("checksum"));
        } finally {
            Files.deleteIfExists(outFile);
        }
    }

    @Test
    void detachWhileAVforkParentWaitsForItsChild() throws Exception {
        String bin = Fixtures.compile("trap_vfork_slow.c").toString();
        String expected = Runs.untraced(List.of(bin)).stdout();
        Path out = Files.createTempFile("trap_vfork", ".out");
        try {
            LaunchSpec spec = new LaunchSpec(List.of(bin), System.getenv(), new Spawn.Stdio("/dev/null", out.toString(), "/dev/null"));
            int pid;
            try (TraceSession s = TraceSession.launch(spec, TraceHooks.NONE)) {
                pid = s.pid();
                while (!Files.readString(out).contains("child waiting")) {
                    Thread.sleep(5);
                }
                int child = s.processes().stream().filter(x -> x != s.pid()).findFirst().orElseThrow();
                // the parent cannot stop (it sleeps, killable only, until the child execs); holding it
                // while the child is held must not wait for it: it runs no user code meanwhile
                int parentThreadsListed = s.withStopped(child, c -> s.withStopped(s.pid(), p -> p.threads().size()));
                assertEquals(0, parentThreadsListed);
                // and detaching lets the child go first, then the parent
                assertInstanceOf(SessionEnd.Detached.class, s.detach());
            }
            awaitGone(pid);
            assertEquals(expected, Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aStoppedProcessStaysStoppedThroughAttachAndDetach() throws Exception {
        String expected = untracedChecksum();
        Path out = Files.createTempFile("trap_spin", ".out");
        try {
            int pid = startOrphanSpin(out);
            io.probe4j.sys.Signals.kill(pid, io.probe4j.sys.Signals.SIGSTOP);
            for (int tid : Procfs.tasks(pid)) {
                while (Procfs.state(pid, tid) != 'T') {
                    Thread.sleep(5);
                }
            }
            try (TraceSession s = TraceSession.attach(pid, TraceHooks.NONE)) {
                assertEquals(2, (int) s.withStopped(pid, p -> p.threads().size()));
                s.detach();
            }
            for (int tid : Procfs.tasks(pid)) {
                assertEquals('T', Procfs.state(pid, tid), "thread " + tid + " should still be stopped");
            }
            io.probe4j.sys.Signals.kill(pid, io.probe4j.sys.Signals.SIGCONT);
            awaitGone(pid);
            assertEquals(expected, Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
