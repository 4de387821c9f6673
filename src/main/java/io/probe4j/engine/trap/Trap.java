package io.probe4j.engine.trap;

import io.probe4j.sys.SigInfo;

/**
 * A {@code SIGTRAP} a thread is about to receive. {@code ip} is where the thread stopped: after
 * an {@code int3} that is the breakpoint's address + 1. {@code info.code()} tells apart an
 * {@code int3} ({@link SigInfo#SI_KERNEL}), a single step ({@link SigInfo#TRAP_TRACE}) and a
 * {@code SIGTRAP} sent by a program ({@link SigInfo#sentByProcess()}).
 */
public record Trap(long ip, SigInfo info) {
    /** Whether this is what an {@code int3} instruction raises. */
    public boolean isBreakpoint() {
        return info.code() == SigInfo.SI_KERNEL;
    }

    /** Whether a single step ({@link TrapAction#STEP}) finished. */
    public boolean isSingleStep() {
        return info.code() == SigInfo.TRAP_TRACE || info.code() == SigInfo.TRAP_BRKPT;
    }
}
