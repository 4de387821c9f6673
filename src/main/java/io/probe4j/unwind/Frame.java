package io.probe4j.unwind;

import java.util.Optional;

/**
 * One frame of a user stack: where the thread is (frame 0) or will return to (the callers).
 *
 * @param address    the instruction address: the probed pc for the innermost frame, the return address
 *                   for callers (as gdb's {@code bt} and the kernel print them); for the frame a signal
 *                   interrupted, the interrupted instruction itself
 * @param symbol     the function containing it, as the symbol table names it (C++ names mangled, as a
 *                   probe definition takes them); empty for code without symbols (a JIT, a stripped object)
 * @param function   the same name as people read it: C++ names demangled as {@code c++filt} prints them
 * @param offset     {@code address} minus the function's start (0 without a symbol)
 * @param object     the mapped file's path, or the mapping's name for memory without a file:
 *                   {@code [anon]}, {@code [vdso]}, {@code [heap]}; {@code [unknown]} outside every mapping
 * @param fileOffset {@code address} as an offset in {@code object} (what {@code uprobe_events} takes;
 *                   -1 without a file)
 * @param source     how this frame's address was found
 */
public record Frame(long address, Optional<String> symbol, Optional<String> function, long offset, String object,
                    long fileOffset, Source source) {
    /** How a frame's address was found, from the most to the least certain. */
    public enum Source {
        /** The thread's own instruction pointer (the innermost frame). */
        REGISTERS,
        /** Return address through the callee's {@code .eh_frame} call-frame information. */
        CFI,
        /** The callee had no CFI and was at its first instruction: the return address was at {@code [sp]}. */
        ENTRY,
        /** The callee had no CFI: the return address was found by the frame-pointer chain ({@code [rbp+8]}). */
        FRAME_POINTER
    }

    /** {@code function+0xOFF (object)} with the demangled name, or {@code [unknown] (object)}. */
    @Override
    public String toString() {
        return function.map(s -> offset == 0 ? s : s + "+0x" + Long.toHexString(offset)).orElse("[unknown]")
                + " (" + object + ")";
    }
}
