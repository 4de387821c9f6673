package io.probe4j.event;

/**
 * What a fetch argument can see at a probe hit. The trap engine implements it over the stopped
 * thread; {@link FetchEvaluator} evaluates the definition's fetch tree against it.
 */
public interface FetchContext {

    /**
     * A register by its kernel {@code pt_regs} name ({@code ax}, {@code di}, {@code r8}, {@code ip},
     * {@code flags}, ...).
     */
    long register(String name);

    /** Reads {@code length} bytes of the traced process at {@code address}. */
    byte[] read(long address, int length) throws MemoryFault;

    /**
     * Reads a NUL-terminated string at {@code address}: the bytes before the NUL, at most
     * {@code maxLength - 1} of them. Faults only when the first byte cannot be read; implementations
     * read page by page so that a short string near the end of a mapping is still found.
     */
    byte[] readString(long address, int maxLength) throws MemoryFault;

    /** The current task's command name ({@code $comm}), as bytes. */
    byte[] comm();

    /**
     * The address {@code @+OFFSET} reads, computed as the kernel does ({@code translate_user_vaddr()} in
     * trace_uprobe.c): the probe's run-time address minus the probe's file offset, plus
     * {@code fileOffset}. One displacement for the whole file: for an offset in another segment than
     * the probe (e.g. .data, whose vaddr-offset delta differs) this is not where that file byte is
     * mapped, and the kernel reads there anyway; so must we, to print the same values.
     */
    long fileOffsetToAddress(long fileOffset);

    /** {@code $stack}: the stack pointer. */
    default long stackPointer() {
        return register("sp");
    }

    /** {@code $retval}: the return value register ({@code ax} on x86-64). */
    default long returnValue() {
        return register("ax");
    }
}
