package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** {@code clock_gettime(2)}. */
public final class Clock {
    public static final int CLOCK_MONOTONIC = 1;
    private static final MethodHandle GETTIME = Native.errnoCall("clock_gettime",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.PTR));

    private Clock() {
    }

    /** Nanoseconds of {@code CLOCK_MONOTONIC}: the kernel's clock, the one {@code trace_clock=mono} uses. */
    public static long monotonicNanos() {
        Native.Scratch s = Native.scratch();
        MemorySegment ts = s.buffer(16);
        int rc;
        try {
            rc = (int) GETTIME.invokeExact(s.state, CLOCK_MONOTONIC, ts);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) {
            throw new SysException("clock_gettime", s.errno(), "reading CLOCK_MONOTONIC");
        }
        return ts.get(Native.LONG, 0) * 1_000_000_000L + ts.get(Native.LONG, 8);
    }
}
