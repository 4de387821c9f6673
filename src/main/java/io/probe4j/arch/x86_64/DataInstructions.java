package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Emitter.BYTE_REG;
import static io.probe4j.arch.x86_64.Emitter.BYTE_RM;
import static io.probe4j.arch.x86_64.Emitter.LOCK;
import static io.probe4j.arch.x86_64.Emitter.P66;
import static io.probe4j.arch.x86_64.Emitter.W;

import io.probe4j.arch.x86_64.AttSyntax.Addr;
import io.probe4j.arch.x86_64.AttSyntax.Imm;
import io.probe4j.arch.x86_64.AttSyntax.Reg;

/**
 * The {@link Assembler}'s data-movement instructions: moves, extensions, {@code lea}, the stack,
 * atomics; and the encoding helpers every layer shares. A layer of the assembler, split off to
 * keep each file to one family of instructions.
 */
abstract sealed class DataInstructions permits ArithmeticInstructions {
    final Emitter e;

    DataInstructions(long base) {
        e = new Emitter(base);
    }

    /** The address the next instruction will have. */
    public long here() {
        return e.base + e.size();
    }

    // ---- moves

    /** {@code mov dst, src} between registers. */
    public void mov(Width w, Gpr dst, Gpr src) {
        e.begin();
        e.modrm(size(w), op(w, 0x88), src.number(), dst);
        e.end("mov", reg(src, w), reg(dst, w));
    }

    /** {@code mov dst, [src]}: a load. */
    public void mov(Width w, Gpr dst, Mem src) {
        e.begin();
        e.modrm(size(w), op(w, 0x8a), dst.number(), src);
        e.end("mov", new Addr(src), reg(dst, w));
    }

    /** {@code mov [dst], src}: a store. */
    public void mov(Width w, Mem dst, Gpr src) {
        e.begin();
        e.modrm(size(w), op(w, 0x88), src.number(), dst);
        e.end("mov", reg(src, w), new Addr(dst));
    }

    /**
     * {@code mov dst, imm}. For a 64-bit register the shortest of {@code mov $imm,%r32} (zero-extends),
     * {@code mov $simm32,%r64} (sign-extends) and {@code movabs $imm64,%r64}.
     */
    public void mov(Width w, Gpr dst, long imm) {
        if (w == Width.QWORD && imm >= 0 && imm <= 0xffff_ffffL) {
            w = Width.DWORD; // writing a 32-bit register clears the upper half
        } else if (w != Width.QWORD) {
            checkImm("mov", w, imm, reg(dst, w));
        }
        e.begin();
        if (w == Width.QWORD && imm == (int) imm) {
            e.modrm(W, 0xc7, 0, dst);
            e.imm(imm, 4);
        } else {
            e.opReg(size(w), w == Width.BYTE ? 0xb0 : 0xb8, dst);
            e.imm(imm, w.bits() / 8);
        }
        boolean movabs = w == Width.QWORD && imm != (int) imm;
        e.end(movabs ? "movabs" : "mov", new Imm(imm, w), reg(dst, w));
    }

    /** {@code mov [dst], imm} (a 64-bit store takes a sign-extended imm32). */
    public void mov(Width w, Mem dst, long imm) {
        long v = checkImm(sized("mov", w), w, imm, new Addr(dst));
        e.begin();
        e.modrm(size(w) & ~BYTE_REG, op(w, 0xc6), 0, dst);
        e.imm(v, immBytes(w));
        e.end(sized("mov", w), new Imm(v, w), new Addr(dst));
    }

    /** {@code movzx dst32, src} from a byte or word register; zero-extends into all 64 bits. */
    public void movzx(Width from, Gpr dst, Gpr src) {
        e.begin();
        e.modrm(from == Width.BYTE ? BYTE_RM : 0, extendOp(from, 0x0fb6), dst.number(), src);
        e.end("movz" + from.suffix() + "l", reg(src, from), reg(dst, Width.DWORD));
    }

    /** {@code movzx dst32, byte/word [src]}; zero-extends into all 64 bits. */
    public void movzx(Width from, Gpr dst, Mem src) {
        e.begin();
        e.modrm(0, extendOp(from, 0x0fb6), dst.number(), src);
        e.end("movz" + from.suffix() + "l", new Addr(src), reg(dst, Width.DWORD));
    }

    /** {@code movsx}/{@code movsxd}: sign-extends {@code from} to {@code to}. */
    public void movsx(Width to, Width from, Gpr dst, Gpr src) {
        e.begin();
        e.modrm(size(to) & ~(BYTE_REG | BYTE_RM) | (from == Width.BYTE ? BYTE_RM : 0), signExtendOp(to, from),
                dst.number(), src);
        e.end("movs" + from.suffix() + to.suffix(), reg(src, from), reg(dst, to));
    }

    /** {@code movsx}/{@code movsxd} from memory. */
    public void movsx(Width to, Width from, Gpr dst, Mem src) {
        e.begin();
        e.modrm(size(to) & ~(BYTE_REG | BYTE_RM), signExtendOp(to, from), dst.number(), src);
        e.end("movs" + from.suffix() + to.suffix(), new Addr(src), reg(dst, to));
    }

    /** {@code lea dst, [src]} (64-bit); {@code lea rsp, [rsp-128]} steps over the red zone. */
    public void lea(Gpr dst, Mem src) {
        if (src instanceof Mem.Based b && b.segment() != Mem.Segment.NONE) {
            throw new IllegalArgumentException("lea ignores segments: " + src);
        }
        e.begin();
        e.modrm(W, 0x8d, dst.number(), src);
        e.end("lea", new Addr(src), reg(dst, Width.QWORD));
    }

    /** {@code push r64}. */
    public void push(Gpr r) {
        e.begin();
        e.opReg(0, 0x50, r);
        e.end("push", reg(r, Width.QWORD));
    }

    /** {@code push imm}: a sign-extended imm8 or imm32 pushed as 8 bytes. */
    public void push(long imm) {
        checkImm("push", Width.QWORD, imm);
        e.begin();
        boolean small = imm == (byte) imm;
        e.byte1(small ? 0x6a : 0x68);
        e.imm(imm, small ? 1 : 4);
        e.end("push", new Imm(imm, Width.QWORD));
    }

    /** {@code push qword [m]}. */
    public void push(Mem m) {
        e.begin();
        e.modrm(0, 0xff, 6, m);
        e.end("push", new Addr(m));
    }

    /** {@code pop r64}. */
    public void pop(Gpr r) {
        e.begin();
        e.opReg(0, 0x58, r);
        e.end("pop", reg(r, Width.QWORD));
    }

    /** {@code pop qword [m]}. */
    public void pop(Mem m) {
        e.begin();
        e.modrm(0, 0x8f, 0, m);
        e.end("pop", new Addr(m));
    }

    /** {@code pushfq}. */
    public void pushfq() {
        simple(0x9c, "pushf");
    }

    /** {@code popfq}. */
    public void popfq() {
        simple(0x9d, "popf");
    }

    /** {@code xchg [m], r}: atomic, the lock is implied. */
    public void xchg(Width w, Mem m, Gpr r) {
        e.begin();
        e.modrm(size(w), op(w, 0x86), r.number(), m);
        e.end("xchg", reg(r, w), new Addr(m));
    }

    /** {@code lock xadd [m], r}: adds {@code r} to memory atomically, {@code r} gets the old value. */
    public void lockXadd(Width w, Mem m, Gpr r) {
        e.begin();
        e.modrm(size(w) | LOCK, op(w, 0x0fc0), r.number(), m);
        e.end("lock xadd", reg(r, w), new Addr(m));
    }

    /** {@code lock cmpxchg [m], r}: stores {@code r} if memory equals %rax (ZF set), else loads it into %rax. */
    public void lockCmpxchg(Width w, Mem m, Gpr r) {
        e.begin();
        e.modrm(size(w) | LOCK, op(w, 0x0fb0), r.number(), m);
        e.end("lock cmpxchg", reg(r, w), new Addr(m));
    }

    /** {@code mfence}. */
    public void mfence() {
        simple(0x0faef0, "mfence");
    }

    /** {@code sfence}. */
    public void sfence() {
        simple(0x0faef8, "sfence");
    }

    /** {@code lfence}. */
    public void lfence() {
        simple(0x0faee8, "lfence");
    }

    // ---- helpers

    final void simple(int opcode, String mnemonic) {
        e.begin();
        e.opcode(opcode);
        e.end(mnemonic);
    }

    /** The prefix and REX flags of an operand width, for an opcode whose ModRM.reg is a register. */
    static int size(Width w) {
        return switch (w) {
            case BYTE -> BYTE_REG | BYTE_RM;
            case WORD -> P66;
            case DWORD -> 0;
            case QWORD -> W;
        };
    }

    /** The byte form of an opcode pair is even, the word/dword/qword form is the next. */
    static int op(Width w, int byteForm) {
        return w == Width.BYTE ? byteForm : byteForm + 1;
    }

    static int immBytes(Width w) {
        return w == Width.BYTE ? 1 : w == Width.WORD ? 2 : 4;
    }

    static Reg reg(Gpr r, Width w) {
        return new Reg(r, w);
    }

    /** AT&T's size suffix, needed when no register operand says the size. */
    static String sized(String mnemonic, Width w) {
        return mnemonic + w.suffix();
    }

    /**
     * Checks that {@code imm} fits the immediate field of width {@code w} (a sign-extended imm32
     * for 64 bits) and returns it sign-extended from that width.
     */
    final long checkImm(String mnemonic, Width w, long imm, AttSyntax.Arg... operands) {
        boolean fits = w == Width.QWORD ? imm == (int) imm : w.holds(imm);
        if (!fits) {
            AttSyntax.Arg[] args = new AttSyntax.Arg[operands.length + 1];
            args[0] = new Imm(imm, Width.QWORD);
            System.arraycopy(operands, 0, args, 1, operands.length);
            throw new AssemblyException(String.format("%s at 0x%x: the immediate does not fit %s",
                    AttSyntax.render(mnemonic, java.util.List.of(args), e.base, here()), here(),
                    w == Width.QWORD ? "a sign-extended imm32" : "the " + w.bits() + "-bit operand"));
        }
        return w.signExtend(imm);
    }

    private static int extendOp(Width from, int byteForm) {
        return switch (from) {
            case BYTE -> byteForm;
            case WORD -> byteForm + 1;
            default -> throw new IllegalArgumentException("zero- or sign-extends from a byte or word, not " + from);
        };
    }

    private static int signExtendOp(Width to, Width from) {
        if (from.bits() >= to.bits() || to == Width.BYTE) {
            throw new IllegalArgumentException("sign-extending " + from + " to " + to);
        }
        return from == Width.DWORD ? 0x63 : extendOp(from, 0x0fbe); // 63 is movsxd
    }

}
