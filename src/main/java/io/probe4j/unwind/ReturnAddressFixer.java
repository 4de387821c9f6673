package io.probe4j.unwind;

/**
 * Undoes return-address hijacking: a return probe replaces a return address on the stack with its
 * trampoline's address and keeps the real one (the kernel's and probe4j's uretprobes do this). The
 * unwinder asks for every return address it reads from memory.
 */
@FunctionalInterface
public interface ReturnAddressFixer {
    /** No return address on the stack is hijacked. */
    ReturnAddressFixer NONE = (slot, value) -> value;

    /**
     * @param slot  the stack address the return address was read from
     * @param value what was there
     * @return the real return address
     */
    long original(long slot, long value);
}
