package io.probe4j.arch.x86_64;

import io.probe4j.elf.InstructionBoundaries;

/**
 * The decoder behind the ELF layer's boundary check: walks a function from its first byte (always
 * an instruction start) with the decoded lengths until reaching or passing the offset.
 */
public final class X86InstructionBoundaries implements InstructionBoundaries {
    /** The shared instance; it holds no state. */
    public static final X86InstructionBoundaries INSTANCE = new X86InstructionBoundaries();

    private X86InstructionBoundaries() {
    }

    @Override
    public Verdict check(byte[] code, int offset) {
        int at = 0;
        while (at < offset) {
            int len;
            try {
                len = Decoder.decode(code, at, code.length, at).length();
            } catch (UndecodableException e) {
                return new Verdict.Unknown(String.format("the bytes at function offset %d cannot be decoded (%s)", at,
                        e.reason()));
            }
            if (at + len > offset) {
                return new Verdict.Inside(at, at + len);
            }
            at += len;
        }
        return new Verdict.Boundary();
    }
}
