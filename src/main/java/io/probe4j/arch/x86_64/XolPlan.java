package io.probe4j.arch.x86_64;

/** How to execute a displaced (probed) instruction: a copy in a slot, or emulation. */
public sealed interface XolPlan {

    /**
     * Copy {@code code} to {@code slot} and set ip to {@code slot}: it runs the relocated
     * instruction ({@code code[0 .. instructionLength)}) and then jumps to {@code resume}.
     */
    record OutOfLine(long slot, byte[] code, int instructionLength, long resume) implements XolPlan {
    }

    /** Apply {@code emulation} to the registers instead of executing anything. */
    record Emulate(Emulation emulation) implements XolPlan {
    }
}
