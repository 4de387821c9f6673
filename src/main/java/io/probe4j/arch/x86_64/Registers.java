package io.probe4j.arch.x86_64;

/** A read-only view of a stopped thread's registers, as much as emulation needs. */
public interface Registers {
    /** A general-purpose register. */
    long get(Gpr r);

    /** RFLAGS. */
    long flags();

    /** The %fs segment base (the thread pointer; {@code fs_base} in {@code user_regs_struct}). */
    long fsBase();

    /** The %gs segment base ({@code gs_base} in {@code user_regs_struct}). */
    long gsBase();

    /** Reads the tracee's memory for emulation (a return address, a call through memory). */
    @FunctionalInterface
    interface Memory {
        /** The 8 bytes at {@code address}, little-endian. */
        long read64(long address);
    }
}
