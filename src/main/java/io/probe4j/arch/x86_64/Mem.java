package io.probe4j.arch.x86_64;

/**
 * A memory operand of the {@link Assembler}: {@code segment:[base + index*scale + displacement]},
 * or RIP-relative to an absolute address or a label. RIP-relative displacements are computed for
 * where the code will live, when the instruction is emitted (or its label bound).
 */
public sealed interface Mem {

    /** The segment override: none, or {@code %fs} (glibc's thread control block) or {@code %gs}. */
    enum Segment {
        NONE(0), FS(0x64), GS(0x65);

        final int prefix;

        Segment(int prefix) {
            this.prefix = prefix;
        }
    }

    /**
     * {@code [base + index*scale + displacement]}: base and index may be null (both null is the
     * absolute address {@code [disp32]}); %rsp cannot be an index.
     */
    record Based(Segment segment, Gpr base, Gpr index, int scale, int displacement) implements Mem {
        public Based {
            if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
                throw new IllegalArgumentException("scale " + scale + " is not 1, 2, 4 or 8");
            }
            if (index == Gpr.RSP) {
                throw new IllegalArgumentException("%rsp cannot be an index register");
            }
            if (index == null && scale != 1) {
                throw new IllegalArgumentException("a scale without an index register");
            }
        }

        /** The same address through another segment. */
        public Based on(Segment s) {
            return new Based(s, base, index, scale, displacement);
        }

        /**
         * The size of the displacement field, the shortest that encodes it: none for 0 (but
         * %rbp and %r13 as base always take one, mod 00 there meaning RIP or no base), 1 when it
         * fits a signed byte, else 4; 4 always without a base.
         */
        int displacementSize() {
            if (base == null) {
                return 4;
            }
            if (displacement == 0 && (base.number() & 7) != 5) {
                return 0;
            }
            return displacement == (byte) displacement ? 1 : 4;
        }

        /** Whether the encoding needs a SIB byte: an index, no base, or %rsp/%r12 as base. */
        boolean needsSib() {
            return index != null || base == null || (base.number() & 7) == 4;
        }
    }

    /** {@code [rip + disp32]} reaching the absolute address {@code target}. */
    record Rip(long target) implements Mem {
    }

    /** {@code [rip + disp32]} reaching a label of the same assembler. */
    record RipLabel(Label label) implements Mem {
    }

    /** {@code [base]}. */
    static Based of(Gpr base) {
        return new Based(Segment.NONE, base, null, 1, 0);
    }

    /** {@code [base + displacement]}. */
    static Based of(Gpr base, int displacement) {
        return new Based(Segment.NONE, base, null, 1, displacement);
    }

    /** {@code [base + index*scale + displacement]}. */
    static Based of(Gpr base, Gpr index, int scale, int displacement) {
        return new Based(Segment.NONE, base, index, scale, displacement);
    }

    /** {@code [index*scale + disp32]}, no base. */
    static Based indexed(Gpr index, int scale, int displacement) {
        return new Based(Segment.NONE, null, index, scale, displacement);
    }

    /** The absolute address {@code [disp32]} (sign-extended). */
    static Based absolute(int address) {
        return new Based(Segment.NONE, null, null, 1, address);
    }

    /** {@code %fs:[disp32]}: a field of the thread control block, e.g. glibc's tid. */
    static Based fs(int offset) {
        return absolute(offset).on(Segment.FS);
    }

    /** RIP-relative to an absolute address (within ±2 GiB of the instruction). */
    static Rip rip(long target) {
        return new Rip(target);
    }

    /** RIP-relative to a label, e.g. an 8-byte data word next to the code. */
    static RipLabel rip(Label label) {
        return new RipLabel(label);
    }
}
