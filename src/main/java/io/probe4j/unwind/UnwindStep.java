package io.probe4j.unwind;

/** One step of a walk outwards: the caller's registers, or why there is no caller. */
sealed interface UnwindStep {
    /**
     * @param regs        the caller's registers (its pc in the return-address column)
     * @param signalFrame the callee was a signal trampoline: the caller was interrupted, not calling,
     *                    so its pc is exact (not a return address) and its stack may lie anywhere
     * @param source      how the caller's pc was found
     */
    record Next(RegisterFile regs, boolean signalFrame, Frame.Source source) implements UnwindStep {
    }

    record Ended(UserStack.Stop stop) implements UnwindStep {
    }

    static Ended unreadable(long address, String what) {
        return new Ended(new UserStack.Stop(UserStack.Reason.UNREADABLE_MEMORY, String.format("cannot read %s at 0x%x", what, address)));
    }
}
