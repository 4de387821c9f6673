package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * Scheduling priority of this JVM's threads ({@code setpriority(2)}; on Linux a nice value belongs to
 * a thread, and a new thread or process starts with its creator's). probe4j's work in the background
 * — the inline engine's consumer, the JIT compilers and the collector warming up to it — yields to the
 * program it traces: on a machine with few CPUs it would otherwise take the program's CPU. The thread
 * that starts the program keeps the user's priority, and so does the program.
 */
public final class Niceness {
    /** How much lower than the program probe4j's background threads run (a tenth of its CPU share when they compete). */
    public static final int BACKGROUND = 10;
    private static final int PRIO_PROCESS = 0, MAX = 19;
    private static final MethodHandle SETPRIORITY = Native.errnoCall("setpriority",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.INT, Native.INT));

    private Niceness() {
    }

    /** The calling thread at {@link #BACKGROUND} below {@code base} (a nice value); best effort. */
    public static void background(int base) {
        lower(Procfs.currentTid(), base);
    }

    /**
     * Every other thread of this JVM (compilers, collector, reference handlers; probe4j's own service
     * threads) at {@link #BACKGROUND} below the caller, which keeps its priority; best effort. Only for a
     * JVM that is probe4j's alone: the command line, never a user's application. The JVM's signal
     * dispatcher keeps it too: the thread that runs the shutdown hooks on SIGTERM or Ctrl-C descends from
     * it and inherits its nice value, and a detach must not wait behind a busy program for its CPU share.
     */
    public static void backgroundAllButCaller() {
        int self = Procfs.currentTid();
        int base = current();
        int pid = (int) ProcessHandle.current().pid();
        for (int tid : Procfs.tasks(pid)) {
            if (tid != self && !isSignalDispatcher(pid, tid)) {
                lower(tid, base);
            }
        }
    }

    private static boolean isSignalDispatcher(int pid, int tid) {
        try {
            return Procfs.comm(pid, tid).startsWith("Signal Dispatch"); // the name, cut to 15 bytes
        } catch (RuntimeException gone) {
            return false;
        }
    }

    /** The nice value of the calling thread. */
    public static int current() {
        return Procfs.nice((int) ProcessHandle.current().pid(), Procfs.currentTid());
    }

    /** Thread {@code tid} at {@code base + BACKGROUND}, unless it already runs at that or lower. */
    private static void lower(int tid, int base) {
        int want = Math.min(MAX, base + BACKGROUND);
        try {
            if (Procfs.nice((int) ProcessHandle.current().pid(), tid) >= want) {
                return;
            }
            Native.Scratch s = Native.scratch();
            int rc = (int) SETPRIORITY.invokeExact(s.state, PRIO_PROCESS, tid, want);
            // a thread that ended meanwhile (ESRCH) keeps nothing from us; raising a nice value needs no privilege
        } catch (SysException | java.io.UncheckedIOException | NumberFormatException gone) {
            // the thread ended while we looked
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
