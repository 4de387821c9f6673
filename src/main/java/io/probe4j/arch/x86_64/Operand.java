package io.probe4j.arch.x86_64;

/** The ModRM r/m operand of an instruction: a register or a memory location. */
public sealed interface Operand {

    /** Reads the operand's 64-bit value. */
    long read(Registers regs, Registers.Memory memory);

    /** A general-purpose register. */
    record Register(Gpr register) implements Operand {
        public long read(Registers regs, Registers.Memory memory) {
            return regs.get(register);
        }
    }

    /**
     * A memory operand {@code segment:[base + index*scale + displacement]}, or RIP-relative.
     *
     * @param base null without one
     * @param index null without one
     * @param segment 0, or the prefix {@code 0x64} (%fs) / {@code 0x65} (%gs)
     * @param addressSize32 a 67 prefix: the address wraps to 32 bits
     * @param ripTarget the absolute address when RIP-relative, else unused
     */
    record Memory(Gpr base, Gpr index, int scale, long displacement, int segment, boolean addressSize32,
            boolean ripRelative, long ripTarget) implements Operand {

        /** The linear address for these registers. */
        public long address(Registers regs) {
            long a;
            if (ripRelative) {
                a = ripTarget;
            } else {
                a = displacement;
                if (base != null) {
                    a += regs.get(base);
                }
                if (index != null) {
                    a += regs.get(index) * scale;
                }
                if (addressSize32) {
                    a &= 0xffffffffL;
                }
            }
            if (segment == 0x64) {
                a += regs.fsBase();
            } else if (segment == 0x65) {
                a += regs.gsBase();
            }
            return a;
        }

        public long read(Registers regs, Registers.Memory memory) {
            return memory.read64(address(regs));
        }
    }

    /**
     * The r/m operand of a legacy or REX-encoded instruction with ModRM.
     *
     * @throws IllegalArgumentException without ModRM or for a REX2/VEX/EVEX/XOP encoding
     */
    static Operand rm(Instruction insn) {
        if (!insn.hasModrm() || insn.encoding() != Encoding.LEGACY) {
            throw new IllegalArgumentException("no legacy ModRM operand: " + insn);
        }
        int rex = insn.rex();
        int b = (rex & 1) << 3;
        int x = (rex & 2) << 2;
        if (insn.mod() == 3) {
            return new Register(Gpr.of(insn.rm() | b));
        }
        int segment = 0;
        for (int i = 0; i < insn.prefixCount(); i++) {
            int p = insn.bytes()[i] & 0xff;
            if (p == 0x64 || p == 0x65) {
                segment = p; // the last segment prefix wins; es/cs/ss/ds have base 0 in 64-bit mode
            }
        }
        boolean a32 = insn.addressSize32();
        if (insn.ripRelative()) {
            return new Memory(null, null, 1, insn.displacement(), segment, a32, true, insn.ripTarget());
        }
        Gpr base;
        Gpr index = null;
        int scale = 1;
        if (insn.sibOffset() >= 0) {
            int sib = insn.bytes()[insn.sibOffset()] & 0xff;
            scale = 1 << (sib >> 6);
            int idx = ((sib >> 3) & 7) | x;
            index = idx == 4 ? null : Gpr.of(idx);
            base = (sib & 7) == 5 && insn.mod() == 0 ? null : Gpr.of((sib & 7) | b);
        } else {
            base = Gpr.of(insn.rm() | b);
        }
        return new Memory(base, index, scale, insn.displacement(), segment, a32, false, 0);
    }
}
