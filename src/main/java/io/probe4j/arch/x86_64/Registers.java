package io.probe4j.arch.x86_64;

/** A read-only view of a stopped thread's registers, as much as emulation needs. */
public interface Registers {
    /** A general-purpose register. */
    long get(Gpr r);

    /** RFLAGS. */
    long flags();

    /** The %fs segment base (thread pointer); 0 if unknown. */
    default long fsBase() {
        return 0;
    }

    /** The %gs segment base; 0 if unknown. */
    default long gsBase() {
        return 0;
    }

    /** Reads the tracee's memory for emulation (a return address, a call through memory). */
    @FunctionalInterface
    interface Memory {
        /** The 8 bytes at {@code address}, little-endian. */
        long read64(long address);
    }
}
