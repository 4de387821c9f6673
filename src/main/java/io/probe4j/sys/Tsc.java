package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CPU's time-stamp counter, read in this process: the clock code generated for other processes
 * reads with {@code rdtsc}, and the reader of its records calibrates it against
 * {@code CLOCK_MONOTONIC} here. The TSC is one counter for the whole machine where the CPU has an
 * invariant, synchronized TSC ({@code constant_tsc}, {@code nonstop_tsc}; Linux marks it
 * {@code tsc_reliable} or checks it at boot). A fixed 12-byte stub, mapped once, executable.
 */
public final class Tsc {
    /** {@code rdtsc; shl $32,%rdx; or %rdx,%rax; ret}. */
    private static final byte[] STUB = {0x0f, 0x31, 0x48, (byte) 0xc1, (byte) 0xe2, 0x20, 0x48, 0x09, (byte) 0xd0,
        (byte) 0xc3};
    private static final MethodHandle READ = stub();

    private Tsc() {
    }

    private static MethodHandle stub() {
        long page = LocalMemory.mapAnonymous(4096, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE);
        try (MappedMemory m = MappedMemory.at(page, STUB.length)) {
            m.write(0, STUB);
        }
        LocalMemory.protect(page, 4096, LocalMemory.PROT_READ | LocalMemory.PROT_EXEC);
        return Native.LINKER.downcallHandle(MemorySegment.ofAddress(page), FunctionDescriptor.of(Native.LONG),
                java.lang.foreign.Linker.Option.critical(false));
    }

    /** The time-stamp counter now. */
    public static long read() {
        try {
            return (long) READ.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
