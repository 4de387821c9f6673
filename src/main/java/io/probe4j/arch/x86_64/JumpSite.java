package io.probe4j.arch.x86_64;

import java.util.List;

/** Whether a probe address can take a 5-byte {@code jmp rel32} to a trampoline, and what it displaces. */
public sealed interface JumpSite {

    /** The probed address. */
    long address();

    /**
     * The jump fits: it replaces {@code displaced}, whole instructions from the probe address covering
     * at least 5 bytes, which the trampoline runs relocated. Bytes past the jump up to {@link #end()} are
     * filled with {@code int3}: no branch lands there.
     */
    record Patchable(long address, List<Instruction> displaced) implements JumpSite {
        public Patchable {
            displaced = List.copyOf(displaced);
        }

        /** Bytes replaced: the displaced instructions' lengths. */
        public int length() {
            int n = 0;
            for (Instruction i : displaced) {
                n += i.length();
            }
            return n;
        }

        /** The first address after the displaced instructions, where the trampoline returns to. */
        public long end() {
            return address + length();
        }

        /** The same site where the file is loaded {@code bias} bytes away from its link-time addresses. */
        public Patchable movedBy(long bias) {
            List<Instruction> moved = new java.util.ArrayList<>(displaced.size());
            for (Instruction i : displaced) {
                moved.add(i.at(i.address() + bias));
            }
            return new Patchable(address + bias, moved);
        }
    }

    /** The jump does not fit; {@code reason} says why, for a user. */
    record Refused(long address, String reason) implements JumpSite {
    }
}
