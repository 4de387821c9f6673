package io.probe4j.unwind;

import java.util.List;

/**
 * The frames of one thread's user stack, innermost first, and why the walk ended.
 *
 * @param frames innermost first; never empty (the first is the thread's pc)
 * @param stop   why there are no more
 */
public record UserStack(List<Frame> frames, Stop stop) {
    public UserStack {
        frames = List.copyOf(frames);
    }

    /**
     * Why a walk ended.
     *
     * @param reason what ended it
     * @param detail the particulars, in words (which address, which file, which rule)
     */
    public record Stop(Reason reason, String detail) {
        @Override
        public String toString() {
            return reason + ": " + detail;
        }
    }

    /** What ends a walk; the first two are a complete stack. */
    public enum Reason {
        /** The CFI marks the return address undefined: the outermost frame ({@code _start}, {@code clone3}). */
        END_OF_STACK,
        /** A return address of 0: the frame-pointer convention's end (and where the kernel's walk ends). */
        ZERO_RETURN_ADDRESS,
        /** The frame limit was reached. */
        DEPTH_LIMIT,
        /** An address is in no executable mapping. */
        NOT_EXECUTABLE,
        /** No CFI covers the pc and no frame pointer could be trusted. */
        NO_UNWIND_INFO,
        /** The CFI could not be read or uses what this unwinder does not evaluate. */
        BAD_CFI,
        /** A saved register or the return address is in memory that cannot be read. */
        UNREADABLE_MEMORY,
        /** The stack pointer did not move up: the walk would loop. */
        NO_PROGRESS
    }

    /** Whether the walk reached the outermost frame. */
    public boolean complete() {
        return stop.reason() == Reason.END_OF_STACK || stop.reason() == Reason.ZERO_RETURN_ADDRESS;
    }
}
