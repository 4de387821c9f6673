package io.probe4j.spec;

/** Where a fetch argument's value comes from. Engines evaluate it with a switch over these cases. */
public sealed interface Fetch {

    /** {@code %REG}: a register by its kernel {@code pt_regs} name ({@code di}, {@code r8}, {@code ip}...). */
    record Register(String name) implements Fetch {
    }

    /** {@code @ADDR}: memory at an absolute address of the traced process. */
    record AbsoluteMemory(long address) implements Fetch {
    }

    /** {@code @+OFFSET}: memory at a file offset of the probed file, wherever it is mapped. */
    record FileMemory(long fileOffset) implements Fetch {
    }

    /** {@code $stackN}: the N-th word above the stack pointer. */
    record StackEntry(int index) implements Fetch {
    }

    /** {@code $stack}: the stack pointer itself. */
    record StackPointer() implements Fetch {
    }

    /** {@code $retval}: the return value (return probes only). */
    record ReturnValue() implements Fetch {
    }

    /** {@code $comm}: the current task's command name. */
    record Comm() implements Fetch {
    }

    /**
     * {@code +|-[u]OFFSET(BASE)}: memory at {@code BASE + offset}.
     *
     * @param user the {@code u} marker (user-space memory; for uprobes all memory is)
     */
    record Deref(long offset, boolean user, Fetch base) implements Fetch {
    }

    /** {@code \IMM}: an immediate number. */
    record Immediate(long value) implements Fetch {
    }

    /** {@code \"text"}: an immediate string. */
    record ImmediateString(String value) implements Fetch {
    }

    /**
     * {@code $argN} (kprobes only, at a function entry): the N-th argument of the probed function,
     * 1-based, taken where the calling convention puts it.
     */
    record Argument(int number) implements Fetch {
    }

    /**
     * {@code @SYM[+|-OFFSET]} (kprobes only): memory at a kernel symbol's address plus an offset. The
     * kernel looks the symbol up when the probe is registered; {@code text} is what followed {@code @}.
     *
     * @param name   the symbol, or the whole text when it does not split into symbol and offset
     * @param offset the offset, signed
     */
    record KernelSymbol(String name, long offset, String text) implements Fetch {
    }
}
