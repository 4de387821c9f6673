package io.probe4j.elf;

/**
 * Decides whether an offset inside a function is the first byte of an instruction. A breakpoint
 * anywhere else corrupts the traced program, and the kernel cannot tell; probe4j can, with the
 * symbol table (where functions start) and an instruction decoder (where the instructions after
 * the start begin).
 *
 * <p>The x86-64 decoder plugs in here: decode {@code code} from byte 0 (a function start is
 * always an instruction start) until reaching {@code offset}. Until it does,
 * {@link #FUNCTION_STARTS_ONLY} accepts only offset 0 and says why it cannot judge the rest.
 */
@FunctionalInterface
public interface InstructionBoundaries {

    /**
     * @param code   the function's machine code, from its first byte ({@code st_size} bytes)
     * @param offset the byte offset into {@code code} a probe should go to, {@code 0 <= offset < code.length}
     * @return whether an instruction starts at {@code offset}
     */
    Verdict check(byte[] code, int offset);

    /** The answer of a boundary check. */
    sealed interface Verdict {
        /** An instruction starts exactly at the offset. */
        record Boundary() implements Verdict {
        }

        /**
         * The offset falls inside an instruction.
         *
         * @param instructionStart the offset at which that instruction starts
         * @param nextInstruction  the offset of the instruction after it
         */
        record Inside(int instructionStart, int nextInstruction) implements Verdict {
        }

        /** The check cannot be made (no decoder, undecodable bytes); {@code reason} says why. */
        record Unknown(String reason) implements Verdict {
        }
    }

    /** The conservative check without a decoder: the start of a function, and nothing else, is known to be safe. */
    InstructionBoundaries FUNCTION_STARTS_ONLY = (code, offset) -> offset == 0
            ? new Verdict.Boundary()
            : new Verdict.Unknown("only the first byte of a function is known to start an instruction; checking other "
                    + "offsets needs the x86-64 instruction decoder, which is not plugged in yet");
}
