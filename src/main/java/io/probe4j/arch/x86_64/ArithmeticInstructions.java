package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Emitter.BYTE_REG;

import io.probe4j.arch.x86_64.AttSyntax.Addr;
import io.probe4j.arch.x86_64.AttSyntax.Arg;
import io.probe4j.arch.x86_64.AttSyntax.Imm;

/** The {@link Assembler}'s arithmetic and logic: group-1 operations, test, inc/dec/not/neg, shifts, imul. */
abstract sealed class ArithmeticInstructions extends DataInstructions permits Assembler {
    ArithmeticInstructions(long base) {
        super(base);
    }

    /** {@code op dst, src} between registers (e.g. {@code add}, {@code cmp}). */
    public void alu(Assembler.Alu op, Width w, Gpr dst, Gpr src) {
        e.begin();
        e.modrm(size(w), op(w, op.ordinal() << 3), src.number(), dst);
        e.end(op.mnemonic(), reg(src, w), reg(dst, w));
    }

    /** {@code op dst, [src]}. */
    public void alu(Assembler.Alu op, Width w, Gpr dst, Mem src) {
        e.begin();
        e.modrm(size(w), op(w, op.ordinal() << 3 | 2), dst.number(), src);
        e.end(op.mnemonic(), new Addr(src), reg(dst, w));
    }

    /** {@code op [dst], src}. */
    public void alu(Assembler.Alu op, Width w, Mem dst, Gpr src) {
        e.begin();
        e.modrm(size(w), op(w, op.ordinal() << 3), src.number(), dst);
        e.end(op.mnemonic(), reg(src, w), new Addr(dst));
    }

    /** {@code op dst, imm}: a sign-extended imm8 when it fits, else the accumulator form for %al/%ax/%eax/%rax. */
    public void alu(Assembler.Alu op, Width w, Gpr dst, long imm) {
        long v = checkImm(op.mnemonic(), w, imm, reg(dst, w));
        e.begin();
        if (w != Width.BYTE && v == (byte) v) {
            e.modrm(size(w) & ~BYTE_REG, 0x83, op.ordinal(), dst);
            e.imm(v, 1);
        } else {
            if (dst == Gpr.RAX) {
                e.op(size(w) & ~BYTE_REG, op(w, op.ordinal() << 3 | 4));
            } else {
                e.modrm(size(w) & ~BYTE_REG, op(w, 0x80), op.ordinal(), dst);
            }
            e.imm(v, immBytes(w));
        }
        e.end(op.mnemonic(), new Imm(v, w), reg(dst, w));
    }

    /** {@code op [dst], imm}, e.g. {@code addq $1, (%rdi)}. */
    public void alu(Assembler.Alu op, Width w, Mem dst, long imm) {
        long v = checkImm(sized(op.mnemonic(), w), w, imm, new Addr(dst));
        boolean small = w != Width.BYTE && v == (byte) v;
        e.begin();
        e.modrm(size(w) & ~BYTE_REG, small ? 0x83 : op(w, 0x80), op.ordinal(), dst);
        e.imm(v, small ? 1 : immBytes(w));
        e.end(sized(op.mnemonic(), w), new Imm(v, w), new Addr(dst));
    }

    /** {@code test a, b}: the flags of {@code a & b}. */
    public void test(Width w, Gpr a, Gpr b) {
        e.begin();
        e.modrm(size(w), op(w, 0x84), b.number(), a);
        e.end("test", reg(b, w), reg(a, w));
    }

    /** {@code test r, imm} ({@code a8}/{@code a9} for the accumulator). */
    public void test(Width w, Gpr r, long imm) {
        long v = checkImm("test", w, imm, reg(r, w));
        e.begin();
        if (r == Gpr.RAX) {
            e.op(size(w) & ~BYTE_REG, op(w, 0xa8));
        } else {
            e.modrm(size(w) & ~BYTE_REG, op(w, 0xf6), 0, r);
        }
        e.imm(v, immBytes(w));
        e.end("test", new Imm(v, w), reg(r, w));
    }

    /** {@code test [m], imm}. */
    public void test(Width w, Mem m, long imm) {
        long v = checkImm(sized("test", w), w, imm, new Addr(m));
        e.begin();
        e.modrm(size(w) & ~BYTE_REG, op(w, 0xf6), 0, m);
        e.imm(v, immBytes(w));
        e.end(sized("test", w), new Imm(v, w), new Addr(m));
    }

    /** {@code inc r}. */
    public void inc(Width w, Gpr r) {
        unary(0xfe, 0, "inc", w, r);
    }

    /** {@code inc [m]}. */
    public void inc(Width w, Mem m) {
        unary(0xfe, 0, "inc", w, m);
    }

    /** {@code dec r}. */
    public void dec(Width w, Gpr r) {
        unary(0xfe, 1, "dec", w, r);
    }

    /** {@code dec [m]}. */
    public void dec(Width w, Mem m) {
        unary(0xfe, 1, "dec", w, m);
    }

    /** {@code not r}. */
    public void not(Width w, Gpr r) {
        unary(0xf6, 2, "not", w, r);
    }

    /** {@code neg r}. */
    public void neg(Width w, Gpr r) {
        unary(0xf6, 3, "neg", w, r);
    }

    private void unary(int byteForm, int digit, String mnemonic, Width w, Gpr r) {
        e.begin();
        e.modrm(size(w) & ~BYTE_REG, op(w, byteForm), digit, r);
        e.end(mnemonic, reg(r, w));
    }

    private void unary(int byteForm, int digit, String mnemonic, Width w, Mem m) {
        e.begin();
        e.modrm(size(w) & ~BYTE_REG, op(w, byteForm), digit, m);
        e.end(sized(mnemonic, w), new Addr(m));
    }

    /** {@code shl/shr/sar r, count} (the one-byte-shorter {@code D1} form for a count of 1). */
    public void shift(Assembler.Shift op, Width w, Gpr r, int count) {
        shift(op, w, count, reg(r, w), () -> e.modrm(size(w) & ~BYTE_REG, shiftOp(w, count), op.digit, r));
    }

    /** {@code shl/shr/sar [m], count}. */
    public void shift(Assembler.Shift op, Width w, Mem m, int count) {
        shift(op, w, count, new Addr(m), () -> e.modrm(size(w) & ~BYTE_REG, shiftOp(w, count), op.digit, m));
    }

    private void shift(Assembler.Shift op, Width w, int count, Arg operand, Runnable modrm) {
        if (count < 1 || count >= w.bits()) {
            throw new IllegalArgumentException("shift count " + count + " for a " + w.bits() + "-bit operand");
        }
        String mnemonic = op.name().toLowerCase(java.util.Locale.ROOT);
        if (operand instanceof Addr) {
            mnemonic = sized(mnemonic, w);
        }
        e.begin();
        modrm.run();
        if (count == 1) {
            e.end(mnemonic, operand);
        } else {
            e.imm(count, 1);
            e.end(mnemonic, new Imm(count, Width.BYTE), operand);
        }
    }

    private static int shiftOp(Width w, int count) {
        return op(w, count == 1 ? 0xd0 : 0xc0);
    }

    /** {@code imul dst, src} (16, 32 or 64 bits). */
    public void imul(Width w, Gpr dst, Gpr src) {
        e.begin();
        e.modrm(notByte(w, "imul"), 0x0faf, dst.number(), src);
        e.end("imul", reg(src, w), reg(dst, w));
    }

    /** {@code imul dst, [src]}. */
    public void imul(Width w, Gpr dst, Mem src) {
        e.begin();
        e.modrm(notByte(w, "imul"), 0x0faf, dst.number(), src);
        e.end("imul", new Addr(src), reg(dst, w));
    }

    private static int notByte(Width w, String mnemonic) {
        if (w == Width.BYTE) {
            throw new IllegalArgumentException(mnemonic + " has no byte form here");
        }
        return size(w);
    }
}
