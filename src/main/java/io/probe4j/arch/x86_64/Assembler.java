package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Emitter.PF3;

import io.probe4j.arch.x86_64.AttSyntax.Addr;
import io.probe4j.arch.x86_64.AttSyntax.Arg;
import io.probe4j.arch.x86_64.AttSyntax.Indirect;
import io.probe4j.arch.x86_64.AttSyntax.Literal;
import io.probe4j.arch.x86_64.AttSyntax.Target;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A small x86-64 assembler for code probe4j generates (trampolines, compiled fetch arguments):
 * it emits into a growable buffer for a known base address, so relative branches and RIP-relative
 * operands are computed for where the code will live. Operands are given in Intel order
 * (destination first); the {@link #lines() listing} says what each line means in objdump's AT&T
 * syntax, text for text.
 *
 * <p>Where forms are equivalent it picks the shortest, as GNU as does: sign-extended imm8 and
 * accumulator forms, no displacement when it is 0, {@code mov $imm,%r32} for a 64-bit register
 * when the value fits 32 bits unsigned. A branch to an address or to a label already bound takes
 * rel8 when it reaches; to a label bound later, rel32 unless {@code jmpShort}/{@code jccShort} ask
 * for rel8. A displacement or immediate that does not fit raises an {@link AssemblyException}
 * naming the instruction; the instruction is then not emitted and the code so far stays usable.
 *
 * <p>The instructions are declared in layers by family: {@link DataInstructions} (moves, stack,
 * atomics), {@link ArithmeticInstructions}, and here control flow, system instructions and data.
 */
public final class Assembler extends ArithmeticInstructions {

    /** Code that will live at {@code base}. */
    public Assembler(long base) {
        super(base);
    }

    /** One instruction or data directive: where it is, its size, and what it means in AT&T syntax. */
    public record Line(long address, int length, String text) {
    }

    /** Where the code starts. */
    public long base() {
        return e.base;
    }

    /** A new, unbound label. */
    public Label label(String name) {
        return e.label(name);
    }

    /**
     * Places {@code label} here, completing the branches and operands that wait for it.
     *
     * @throws AssemblyException if a waiting rel8 branch does not reach it (the code is then incomplete)
     */
    public void bind(Label label) {
        e.bind(label);
    }

    /** The address of a bound label. */
    public long address(Label label) {
        e.own(label);
        if (!label.isBound()) {
            throw new AssemblyException("label '" + label.name() + "' is not bound yet");
        }
        return e.base + label.offset;
    }

    // ---- holes: fields a template fills in again for another place ({@link Template})

    /**
     * Marks a field of the next instruction as a hole and returns {@code value}, to be passed to it:
     * the instruction's immediate, its displacement, or the address its RIP-relative operand reaches
     * ({@code field}), whose value for another place {@code tag} computes. The machine code is what it
     * would be without the mark.
     */
    long hole(Emitter.Field field, Template.Value tag, long value) {
        e.hole(field, tag, value);
        return value;
    }

    /** Returns {@code value}, which decides the shape of the code that follows (whether an instruction is there). */
    long decision(Template.Value tag, long value) {
        e.decision(tag, value);
        return value;
    }

    /** The code, once every label in use is bound. */
    public byte[] finish() {
        e.checkBound();
        return e.bytes();
    }

    /** What was emitted, line by line. */
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < e.lines().size(); i++) {
            Emitter.Line l = e.lines().get(i);
            out.add(new Line(e.base + l.offset(), l.length(), e.text(i)));
        }
        return out;
    }

    /** A listing for people: address, bytes, text. */
    public String listing() {
        byte[] code = e.bytes();
        StringBuilder sb = new StringBuilder();
        for (Line l : lines()) {
            int off = (int) (l.address() - e.base);
            sb.append(String.format("%x: %-30s %s%n", l.address(),
                    HexFormat.ofDelimiter(" ").formatHex(code, off, off + l.length()), l.text()));
        }
        return sb.toString();
    }

    // ---- data

    /** Raw bytes, e.g. instructions copied from elsewhere. */
    public void bytes(byte... bytes) {
        e.begin();
        Arg[] args = new Arg[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            e.byte1(bytes[i]);
            args[i] = new Literal(bytes[i], Width.BYTE);
        }
        e.end(".byte", args);
    }

    /** An 8-byte data word. */
    public void quad(long value) {
        e.begin();
        e.imm(value, 8);
        e.end(".quad", new Literal(value, Width.QWORD));
    }

    /** An 8-byte data word holding the absolute address of {@code label}. */
    public void quad(Label label) {
        e.begin();
        e.fixup(8, label, 0, false);
        e.end(".quad", new Target(label, 0));
    }

    /** Pads with nops up to a multiple of {@code boundary} (a power of two). */
    public void align(int boundary) {
        if (Integer.bitCount(boundary) != 1) {
            throw new IllegalArgumentException("alignment " + boundary + " is not a power of two");
        }
        int pad = (int) (-here() & (boundary - 1));
        for (; pad > 0; pad -= Math.min(pad, Nops.LONGEST)) {
            nop(Math.min(pad, Nops.LONGEST));
        }
    }

    /** The group-1 operations, in ModRM.reg (/digit) order. */
    public enum Alu {
        ADD, OR, ADC, SBB, AND, SUB, XOR, CMP;

        String mnemonic() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The shifts by an immediate count, with their /digit. */
    public enum Shift {
        SHL(4), SHR(5), SAR(7);

        final int digit;

        Shift(int digit) {
            this.digit = digit;
        }
    }

    // ---- control flow

    /** {@code jmp} to a label: rel8 when the label is bound and in reach, else rel32. */
    public void jmp(Label target) {
        branch(0xeb, 0xe9, "jmp", target, 0, e.reachesShort(target, 0, 2), true);
    }

    /** {@code jmp} to an address: rel8 when in reach, else rel32. */
    public void jmp(long target) {
        branch(0xeb, 0xe9, "jmp", null, target, e.reachesShort(null, target, 2));
    }

    /** {@code jmp rel8} to a label, which must be bound within reach. */
    public void jmpShort(Label target) {
        branch(0xeb, 0xe9, "jmp", target, 0, true);
    }

    /** {@code jmp rel32} to a label. */
    public void jmpNear(Label target) {
        branch(0xeb, 0xe9, "jmp", target, 0, false);
    }

    /** {@code jmp rel32} to an address (5 bytes whatever the distance, e.g. to patch a probe site). */
    public void jmpNear(long target) {
        branch(0xeb, 0xe9, "jmp", null, target, false);
    }

    /** {@code jmp *r64}. */
    public void jmp(Gpr r) {
        e.begin();
        e.modrm(0, 0xff, 4, r);
        e.end("jmp", new Indirect(reg(r, Width.QWORD)));
    }

    /** {@code jmp *[m]}, e.g. {@code jmp *0(%rip)} through an 8-byte absolute address. */
    public void jmp(Mem m) {
        e.begin();
        e.modrm(0, 0xff, 4, m);
        e.end("jmp", new Indirect(new Addr(m)));
    }

    /** {@code jcc} to a label: rel8 when the label is bound and in reach, else rel32. */
    public void jcc(Condition c, Label target) {
        branch(0x70 | c.code(), 0x0f80 | c.code(), "j" + c.suffix(), target, 0, e.reachesShort(target, 0, 2), true);
    }

    /** {@code jcc} to an address: rel8 when in reach, else rel32. */
    public void jcc(Condition c, long target) {
        branch(0x70 | c.code(), 0x0f80 | c.code(), "j" + c.suffix(), null, target, e.reachesShort(null, target, 2));
    }

    /** {@code jcc rel8} to a label, which must be bound within reach. */
    public void jccShort(Condition c, Label target) {
        branch(0x70 | c.code(), 0x0f80 | c.code(), "j" + c.suffix(), target, 0, true);
    }

    /** {@code jcc rel32} to a label. */
    public void jccNear(Condition c, Label target) {
        branch(0x70 | c.code(), 0x0f80 | c.code(), "j" + c.suffix(), target, 0, false);
    }

    /** {@code call rel32} to an address. */
    public void call(long target) {
        branch(-1, 0xe8, "call", null, target, false);
    }

    /** {@code call rel32} to a label. */
    public void call(Label target) {
        branch(-1, 0xe8, "call", target, 0, false);
    }

    /** {@code call *r64}. */
    public void call(Gpr r) {
        e.begin();
        e.modrm(0, 0xff, 2, r);
        e.end("call", new Indirect(reg(r, Width.QWORD)));
    }

    /** {@code call *[m]}. */
    public void call(Mem m) {
        e.begin();
        e.modrm(0, 0xff, 2, m);
        e.end("call", new Indirect(new Addr(m)));
    }

    /** {@code ret}. */
    public void ret() {
        simple(0xc3, "ret");
    }

    private void branch(int shortOp, int nearOp, String mnemonic, Label label, long target, boolean isShort) {
        branch(shortOp, nearOp, mnemonic, label, target, isShort, false);
    }

    /** {@code chosen}: the form was chosen by the distance to the label (rel8 when it reaches). */
    private void branch(int shortOp, int nearOp, String mnemonic, Label label, long target, boolean isShort, boolean chosen) {
        e.begin();
        e.opcode(isShort ? shortOp : nearOp);
        e.fixup(isShort ? 1 : 4, label, target, true, chosen);
        e.end(mnemonic, new Target(label, target));
    }

    // ---- system

    /** {@code rdtsc}: the time-stamp counter in %edx:%eax. */
    public void rdtsc() {
        simple(0x0f31, "rdtsc");
    }

    /** {@code rdtscp}: the time-stamp counter in %edx:%eax and IA32_TSC_AUX (Linux: node and CPU) in %ecx. */
    public void rdtscp() {
        simple(0x0f01f9, "rdtscp");
    }

    /** {@code rdpid r64}: IA32_TSC_AUX (Linux: {@code node << 12 | cpu}). */
    public void rdpid(Gpr r) {
        e.begin();
        e.modrm(PF3, 0x0fc7, 7, r);
        e.end("rdpid", reg(r, Width.QWORD));
    }

    /**
     * {@code lsl dst32, selector32}: the segment limit of a selector. Linux keeps {@code node << 12 | cpu}
     * in the limit of its per-CPU GDT entry (selector 0x7b), the vDSO's getcpu where there is no rdpid.
     */
    public void lsl(Gpr dst, Gpr selector) {
        e.begin();
        e.modrm(0, 0x0f03, dst.number(), selector);
        e.end("lsl", reg(selector, Width.DWORD), reg(dst, Width.DWORD));
    }

    /** {@code cpuid}: leaf %eax, subleaf %ecx; clobbers %rbx. */
    public void cpuid() {
        simple(0x0fa2, "cpuid");
    }

    /** {@code syscall}. */
    public void syscall() {
        simple(0x0f05, "syscall");
    }

    /** {@code int3}. */
    public void int3() {
        simple(0xcc, "int3");
    }

    /** {@code ud2}. */
    public void ud2() {
        simple(0x0f0b, "ud2");
    }

    /** {@code pause}: the spin-wait hint. */
    public void pause() {
        e.begin();
        e.op(PF3, 0x90);
        e.end("pause");
    }

    /** One nop of {@code length} bytes (1-9), in the forms Intel recommends. */
    public void nop(int length) {
        Nops.Form f = Nops.of(length);
        e.begin();
        for (byte b : f.bytes()) {
            e.byte1(b);
        }
        e.end(f.text());
    }
}
