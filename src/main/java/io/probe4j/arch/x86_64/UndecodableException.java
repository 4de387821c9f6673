package io.probe4j.arch.x86_64;

/**
 * The bytes at an address are not an x86-64 instruction (invalid in 64-bit mode, truncated, or
 * longer than 15 bytes). Carries no stack trace: it is an expected answer, not a bug, and the
 * differential tests meet it thousands of times.
 */
public final class UndecodableException extends RuntimeException {
    private final long address;
    private final String reason;

    public UndecodableException(long address, String reason) {
        super(String.format("cannot decode the instruction at 0x%x: %s", address, reason), null, false, false);
        this.address = address;
        this.reason = reason;
    }

    /** Why, without the address (e.g. "opcode 0x06 is invalid in 64-bit mode"). */
    public String reason() {
        return reason;
    }

    /** The address the decoding started at. */
    public long address() {
        return address;
    }
}
