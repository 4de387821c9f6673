package io.probe4j.arch.x86_64;

/**
 * The {@link Assembler} cannot encode what it was asked: a displacement that does not fit its
 * field, an immediate too wide for its operand, a label bound twice or never. The message names
 * the instruction and where it sits.
 */
public final class AssemblyException extends RuntimeException {
    public AssemblyException(String message) {
        super(message);
    }
}
