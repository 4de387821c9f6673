package io.probe4j.engine.ptrace;

import io.probe4j.sys.Ptrace;
import io.probe4j.sys.SigInfo;

/**
 * A {@code SIGTRAP} a thread is about to receive. {@link #ip()} is where the thread stopped: after
 * an {@code int3} that is the breakpoint's address + 1. {@link #info()} tells apart an {@code int3}
 * ({@link SigInfo#SI_KERNEL}), a single step ({@link SigInfo#TRAP_TRACE}) and a {@code SIGTRAP}
 * sent by a program ({@link SigInfo#sentByProcess()}).
 *
 * <p>The signal information costs a ptrace request of its own, so it is fetched only when asked
 * for: a stop right behind one of our {@code int3}s needs no proof that the {@code int3} raised it
 * when no instruction of the program starts there.
 */
public final class Trap {
    private final int tid;
    private final long ip;
    private SigInfo info;

    /** A trap of the stopped thread {@code tid}; on its tracer thread. */
    Trap(int tid, long ip) {
        this.tid = tid;
        this.ip = ip;
    }

    public long ip() {
        return ip;
    }

    /** The signal's information ({@code PTRACE_GETSIGINFO}, asked once). */
    public SigInfo info() {
        if (info == null) {
            info = Ptrace.getSigInfo(tid);
        }
        return info;
    }

    /** Whether this is what an {@code int3} instruction raises. */
    public boolean isBreakpoint() {
        return info().code() == SigInfo.SI_KERNEL;
    }

    /** Whether a single step ({@link TrapAction#STEP}) finished. */
    public boolean isSingleStep() {
        return info().code() == SigInfo.TRAP_TRACE || info().code() == SigInfo.TRAP_BRKPT;
    }
}
