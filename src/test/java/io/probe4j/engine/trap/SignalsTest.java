package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.SessionEnd;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.sys.Procfs;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Signals from outside reach a traced program as they would an untraced one. */
@Timeout(120) // a tracer bug shows as a hang: fail instead
class SignalsTest {
    private static LaunchSpec spin(Path out, String steps) {
        return new LaunchSpec(List.of(Fixtures.compile("trap_spin.c", "-pthread").toString(), steps), System.getenv(),
                new Spawn.Stdio("/dev/null", out.toString(), "/dev/null"));
    }

    private static void awaitReady(Path out) throws Exception {
        while (!Files.readString(out).contains("ready")) {
            Thread.sleep(5);
        }
    }

    @Test
    void sigstopFromOutsideStopsEveryThreadUntilSigcont() throws Exception {
        Path out = Files.createTempFile("trap_spin", ".out");
        try (TraceSession s = TraceSession.launch(spin(out, "80"), TraceHooks.NONE)) {
            awaitReady(out);
            Signals.kill(s.pid(), Signals.SIGSTOP);
            // the group-stop reaches every thread; each is left in it with PTRACE_LISTEN
            List<Integer> tids = Procfs.tasks(s.pid());
            for (int tid : tids) {
                while (Procfs.state(s.pid(), tid) != 't') {
                    Thread.sleep(5);
                }
            }
            // stopping it for the breakpoint layer and letting go again keeps it in the group-stop
            assertEquals(tids.size(), (int) s.withStopped(s.pid(), p -> p.threads().size()));
            assertTrue(s.call(() -> true));
            for (int tid : tids) {
                assertEquals('t', Procfs.state(s.pid(), tid));
            }
            Signals.kill(s.pid(), Signals.SIGCONT);
            assertEquals(new SessionEnd.Exited(0), s.waitFor());
            assertTrue(Files.readString(out).contains("checksum"));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void sigkillFromOutsideEndsTheSessionWith137() throws Exception {
        Path out = Files.createTempFile("trap_spin", ".out");
        try (TraceSession s = TraceSession.launch(spin(out, "1000"), TraceHooks.NONE)) {
            awaitReady(out);
            Signals.kill(s.pid(), Signals.SIGKILL);
            SessionEnd end = s.waitFor();
            assertEquals(new SessionEnd.Killed(9, false), end);
            assertEquals(137, end.shellStatus());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void sigtermFromOutsideIsRelayedAndKillsLikeUntraced() throws Exception {
        Path out = Files.createTempFile("trap_spin", ".out");
        try (TraceSession s = TraceSession.launch(spin(out, "1000"), TraceHooks.NONE)) {
            awaitReady(out);
            Signals.kill(s.pid(), Signals.SIGTERM);
            assertEquals(128 + 15, s.waitFor().shellStatus());
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
