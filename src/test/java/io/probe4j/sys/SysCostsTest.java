package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.testing.Fixtures;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints what the FFM edge costs: PTRACE_GETREGS, process_vm_readv and an int3 stop round trip from
 * Java, next to the same calls from C (trap_bench.c). Figures only; nothing asserted about time. A
 * benchmark, run on demand: {@code mvn verify -Pbench}.
 */
@Tag("bench")
class SysCostsTest {
    private static final int N = 50_000;

    private static double nsPerOp(Runnable op, int n) {
        for (int i = 0; i < n / 5; i++) {
            op.run(); // warm up the downcall stubs and the JIT
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    @Test
    void ffmCallCostsNextToC() throws Exception {
        String c = new String(new ProcessBuilder(Fixtures.compile("trap_bench.c").toString(), String.valueOf(N), "5000")
                .redirectErrorStream(true).start().getInputStream().readAllBytes());
        double getregs, readv8, readv4k, peek, roundTrip;
        try (Tracee t = Tracee.spin()) {
            getregs = nsPerOp(() -> Ptrace.getRegs(t.pid), N);
            long sp = Ptrace.getRegs(t.pid).sp();
            byte[] eight = new byte[8], page = new byte[4096];
            readv8 = nsPerOp(() -> t.memory.read(sp, eight), N);
            readv4k = nsPerOp(() -> t.memory.read(sp & -4096, page), N);
            peek = nsPerOp(() -> Ptrace.peekData(t.pid, sp), N);
        }
        roundTrip = int3RoundTrip(5000);
        System.out.printf("FFM (Java) vs C, ns per call%n");
        System.out.printf("  ptrace(GETREGS)         java %6.0f%n", getregs);
        System.out.printf("  process_vm_readv 8 B    java %6.0f%n", readv8);
        System.out.printf("  process_vm_readv 4 KiB  java %6.0f%n", readv4k);
        System.out.printf("  ptrace(PEEKDATA)        java %6.0f%n", peek);
        System.out.printf("  int3 stop round trip    java %6.0f  (PTRACE_CONT + trap + waitpid)%n", roundTrip);
        System.out.printf("C baseline (trap_bench):%n%s", c.indent(2));
        assertEquals(4, c.lines().count(), c);
    }

    /** PTRACE_CONT, the tracee's int3, waitpid: the bare cost of one stop, from Java. */
    private static double int3RoundTrip(int traps) throws Exception {
        String bin = Fixtures.compile("trap_int3_loop.c").toString();
        int pid = Spawn.spawn(bin, List.of(bin, String.valueOf(Integer.MAX_VALUE)), Map.of(), Spawn.Stdio.NULL);
        try {
            Ptrace.seize(pid, EnumSet.noneOf(Ptrace.Option.class));
            Ptrace.interrupt(pid);
            Wait.waitpid(pid);
            Ptrace.cont(pid, 0);
            for (int i = 0; i < traps / 5; i++) {
                Wait.waitpid(pid);
                Ptrace.cont(pid, 0);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < traps; i++) {
                Wait.waitpid(pid);
                Ptrace.cont(pid, 0);
            }
            return (System.nanoTime() - t0) / (double) traps;
        } finally {
            Signals.kill(pid, Signals.SIGKILL);
            while (!Wait.waitpid(pid).dead()) {
                // drain the last stops
            }
        }
    }
}
