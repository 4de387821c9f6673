package io.probe4j.arch.x86_64;

/** An instruction cannot be executed out of line at the requested place (or not at all). */
public final class RelocationException extends RuntimeException {
    public RelocationException(Instruction insn, String reason) {
        super(String.format("cannot relocate the instruction at 0x%x (%s): %s", insn.address(), insn.hex(), reason));
    }
}
