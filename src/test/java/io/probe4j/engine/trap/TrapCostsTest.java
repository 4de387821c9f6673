package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.SessionEnd;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.sys.Spawn;
import io.probe4j.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Prints what the session adds: a consumed int3 through the whole loop, and launch-to-exec time. */
@Timeout(120) // a tracer bug shows as a hang: fail instead
class TrapCostsTest {
    @Test
    void costsOfTheTracerLoop() throws Exception {
        int traps = 20_000;
        int[] hits = new int[1];
        TraceHooks consume = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                hits[0]++;
                return TrapAction.RESUME;
            }
        };
        LaunchSpec loop = new LaunchSpec(List.of(Fixtures.compile("trap_int3_loop.c").toString(), String.valueOf(traps)),
                System.getenv(), Spawn.Stdio.NULL);
        for (String round : List.of("cold", "warm")) { // the first run also compiles the downcall stubs
            hits[0] = 0;
            long t0 = System.nanoTime();
            try (TraceSession s = TraceSession.launch(loop, consume)) {
                long t1 = System.nanoTime();
                assertEquals(new SessionEnd.Exited(0), s.waitFor());
                long t2 = System.nanoTime();
                System.out.printf("consumed int3 through the session (GETSIGINFO + GETREGS + hook + CONT), %s: %.0f ns per hit%n",
                        round, (t2 - t1) / (double) traps);
                System.out.printf("launch to exec, %s: %.2f ms%n", round, (t1 - t0) / 1e6);
            }
            assertEquals(traps, hits[0]);
        }

        LaunchSpec exit3 = new LaunchSpec(List.of(Fixtures.compile("trap_exit3.c").toString()), System.getenv(), Spawn.Stdio.NULL);
        int runs = 10;
        long launch = 0, whole = 0;
        for (int i = 0; i < runs; i++) {
            long a = System.nanoTime();
            try (TraceSession s = TraceSession.launch(exit3, TraceHooks.NONE)) {
                long b = System.nanoTime();
                assertEquals(3, s.waitFor().shellStatus());
                launch += b - a;
                whole += System.nanoTime() - a;
            }
        }
        long plain = 0;
        for (int i = 0; i < runs; i++) {
            long a = System.nanoTime();
            new ProcessBuilder(exit3.command()).start().waitFor();
            plain += System.nanoTime() - a;
        }
        System.out.printf("launch to exec: %.2f ms; launch to exit traced: %.2f ms; untraced ProcessBuilder run: %.2f ms (mean of %d)%n",
                launch / 1e6 / runs, whole / 1e6 / runs, plain / 1e6 / runs, runs);
    }
}
