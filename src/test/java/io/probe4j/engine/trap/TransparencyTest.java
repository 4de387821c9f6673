package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A traced program prints the same and ends with the same status as untraced. */
@Timeout(120) // a tracer bug shows as a hang: fail instead
@Tag("integration")
class TransparencyTest {
    private RecordingHooks hooks = new RecordingHooks();

    private Runs.Result sameTracedAsUntraced(String fixture, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Fixtures.compile(fixture, "-pthread").toString());
        cmd.addAll(List.of(args));
        Runs.Result untraced = Runs.untraced(cmd);
        Runs.Result traced = Runs.traced(cmd, hooks);
        assertEquals(untraced, traced, "traced run differs from the untraced one");
        return traced;
    }

    @Test
    void multiThreadedProgram() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_threads.c");
        assertEquals(0, r.status());
        assertEquals(4, r.stdout().lines().count());
    }

    @Test
    void forkExecWait() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_forkexec.c");
        assertTrue(r.stdout().contains("hello from the exec'ed child"), r.stdout());
        assertTrue(r.stdout().contains("child 2 exited 5"), r.stdout());
        assertEquals(List.of("LAUNCHED", "FORKED", "EXECED", "exit", "FORKED", "exit", "exit"), hooks.seen);
    }

    @Test
    void vfork() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_vfork.c");
        assertTrue(r.stdout().contains("vfork child 2 status 9, shared 42"), r.stdout());
        assertEquals(List.of("LAUNCHED", "VFORKED", "EXECED", "exit", "VFORKED", "exit", "exit"), hooks.seen);
    }

    @Test
    void sigtrapRaisedByTheProgramReachesItsHandler() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_sigtrap.c");
        assertTrue(r.stdout().startsWith("3 traps"), r.stdout());
        // raise() is tgkill (SI_TKILL), kill() is SI_USER, int3 is SI_KERNEL: each offered to the hook, then delivered
        assertEquals(List.of("LAUNCHED", "trap -6", "trap 0", "trap 128", "exit"), hooks.seen);
    }

    @Test
    void stoppedBySigstopAndContinued() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_sigstop.c");
        assertTrue(r.stdout().contains("continued, SIGCONT handled 1 time(s)"), r.stdout());
    }

    @Test
    void killedByAFaultIs128PlusSignal() throws Exception {
        assertEquals(128 + 11, sameTracedAsUntraced("trap_killed.c", "segv").status());
    }

    @Test
    void killedByRaisedSigtermIs128PlusSignal() throws Exception {
        assertEquals(128 + 15, sameTracedAsUntraced("trap_killed.c", "term").status());
    }

    @Test
    void killedByKillIs128PlusSignal() throws Exception {
        assertEquals(128 + 10, sameTracedAsUntraced("trap_killed.c", "usr1").status());
    }

    @Test
    void exitStatus3AndArguments() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_exit3.c", "one", "two words", "$HOME");
        assertEquals(3, r.status());
        assertTrue(r.stdout().contains("arg 2: two words"), r.stdout());
        assertTrue(r.stdout().contains("arg 3: $HOME"), r.stdout());
    }

    @Test
    void execFromANonLeaderThread() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_threadexec.c");
        assertEquals("pid keeps its id across exec\nexec'ed from a thread\n", r.stdout());
        assertEquals(List.of("LAUNCHED", "EXECED", "exit"), hooks.seen);
    }

    @Test
    void aChildOutlivingItsParentIsFollowedToItsEnd() throws Exception {
        Runs.Result r = sameTracedAsUntraced("trap_orphan.c");
        assertEquals(4, r.status());
        assertTrue(r.stdout().contains("child outlived its parent"), r.stdout());
    }

    @Test
    void environmentArrivesExactlyAsGiven() throws Exception {
        // /usr/bin/env prints its environment: no variable added (PWD, SHLVL) or dropped (_) on the way
        List<String> cmd = List.of("env");
        List<String> untraced = Runs.untraced(cmd).stdout().lines().sorted().toList();
        List<String> traced = Runs.traced(cmd, hooks).stdout().lines().sorted().toList();
        assertEquals(untraced, traced);
    }

    @Test
    void argumentsIncludingArgv0ArriveExactlyAsGiven() throws Exception {
        List<String> cmd = List.of("sh", "-c", "tr '\\0' '\\n' </proc/$$/cmdline", "zero", "one two", "");
        Runs.Result untraced = Runs.untraced(cmd);
        assertEquals(untraced, Runs.traced(cmd, hooks));
        assertTrue(untraced.stdout().startsWith("sh\n-c\n"), untraced.stdout()); // argv[0] as typed, not a resolved path
    }

    @Test
    void aFileTheKernelCannotExecuteIsAUserMistake() throws Exception {
        java.nio.file.Path junk = java.nio.file.Files.createTempFile("trap_junk", "");
        try {
            java.nio.file.Files.write(junk, new byte[] {1, 2, 3, 4});
            junk.toFile().setExecutable(true);
            io.probe4j.error.UserException e = org.junit.jupiter.api.Assertions.assertThrows(io.probe4j.error.UserException.class,
                    () -> Runs.traced(List.of(junk.toString()), hooks));
            assertEquals("cannot run " + junk + ": ENOEXEC", e.getMessage());
        } finally {
            java.nio.file.Files.delete(junk);
        }
    }
}
