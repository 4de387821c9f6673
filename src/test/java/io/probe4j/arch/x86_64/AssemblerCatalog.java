package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;
import static io.probe4j.arch.x86_64.Width.WORD;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Every instruction form of the {@link Assembler}, over all 16 registers, the addressing modes and
 * boundary immediates, assembled into one block; with what each line should decode as (its branch
 * kind and target, its RIP-relative target). The tests compare it with objdump, GNU as and our
 * decoder. Data words come last, after the code, so a linear disassembly stays in step.
 */
final class AssemblerCatalog {
    static final long BASE = 0x7f12_3456_0000L;
    static final Width[] WIDTHS = Width.values();
    static final Gpr[] GPRS = Gpr.values();
    static final long[] IMMEDIATES = {0, 1, -1, 0x7f, 0x80, -0x80, -0x81, 0xff, 0x100, 0x7fff, 0x8000, -0x8000,
        -0x8001, 0xffff, 0x10000, 0x12345678, 0x7fffffff, 0x80000000L, -0x80000000L, -0x80000001L, 0xffffffffL,
        0x100000000L, 0x123456789abcdefL, Long.MIN_VALUE};
    static final int[] DISPLACEMENTS = {0, 8, -8, 0x7f, -0x80, 0x80, -0x81, 0x12345678, Integer.MIN_VALUE};

    /** What a line should decode as: a branch kind (null for none) with its target, a RIP target. */
    record Expect(String kind, LongSupplier target, LongSupplier ripTarget) {
    }

    static final Expect PLAIN = new Expect(null, null, null);

    final Assembler a = new Assembler(BASE);
    final Map<Long, Expect> expect = new HashMap<>();
    /** Immediates the assembler refused, as "mnemonic width value", to compare with the rule. */
    final List<String> refused = new ArrayList<>();
    private final List<Runnable> data = new ArrayList<>();

    static AssemblerCatalog build() {
        AssemblerCatalog c = new AssemblerCatalog();
        c.moves();
        c.arithmetic();
        c.control();
        c.system();
        c.data.forEach(Runnable::run);
        return c;
    }

    /** Whether {@code v} fits the immediate of a {@code w}-sized operand (a sign-extended imm32 for 64 bits). */
    static boolean fits(Width w, long v) {
        return w == QWORD ? v == (int) v : v >= -(1L << (w.bits() - 1)) && v < (1L << w.bits());
    }

    /** A representative set of memory operands: every base, every index with each scale, the special cases. */
    static List<Mem> memories() {
        List<Mem> m = new ArrayList<>();
        for (Gpr b : GPRS) {
            m.add(Mem.of(b));
            m.add(Mem.of(b, -0x80));
            m.add(Mem.of(b, 0x1234));
        }
        int i = 0;
        for (Gpr x : GPRS) {
            if (x != Gpr.RSP) {
                m.add(Mem.of(GPRS[(i * 5 + 3) % 16], x, 1 << (i % 4), DISPLACEMENTS[i % DISPLACEMENTS.length]));
                m.add(Mem.indexed(x, 1 << ((i + 1) % 4), -0x10));
                i++;
            }
        }
        m.add(Mem.absolute(0x1000));
        m.add(Mem.absolute(-16));
        m.add(Mem.fs(0x2d0));
        m.add(Mem.fs(0));
        m.add(Mem.of(Gpr.RDI).on(Mem.Segment.FS));
        m.add(Mem.of(Gpr.R13, Gpr.R12, 8, 0).on(Mem.Segment.FS));
        m.add(Mem.rip(BASE + 0x7000_0000L));
        m.add(Mem.rip(BASE - 0x7000_0000L));
        return m;
    }

    private void expect(String kind, LongSupplier target, LongSupplier rip, Runnable emit) {
        expect.put(a.here(), new Expect(kind, target, rip));
        emit.run();
    }

    /** Emits an instruction with a memory operand, expecting its RIP target when it has one. */
    private void withMem(Mem m, Runnable emit) {
        expect(null, null, m instanceof Mem.Rip r ? r::target : null, emit);
    }

    private void immediate(String what, Width w, long v, boolean accepted, Runnable emit) {
        long at = a.here();
        try {
            emit.run();
            if (!accepted) {
                throw new AssertionError(what + " accepted " + w + " immediate 0x" + Long.toHexString(v));
            }
        } catch (AssemblyException e) {
            if (accepted) {
                throw new AssertionError(what + " refused " + w + " immediate 0x" + Long.toHexString(v), e);
            }
            refused.add(what + " " + w + " " + v);
            expect.remove(at);
        }
    }

    private void moves() {
        // every addressing mode: base x index x scale x displacement, each load into a rotating register
        Gpr[] bases = new Gpr[17];
        System.arraycopy(GPRS, 0, bases, 0, 16);
        int n = 0;
        for (Gpr base : bases) {
            for (int x = -1; x < 16; x++) {
                Gpr index = x < 0 ? null : Gpr.of(x);
                if (index == Gpr.RSP) {
                    continue;
                }
                for (int scale : index == null ? new int[] {1} : new int[] {1, 2, 4, 8}) {
                    for (int disp : DISPLACEMENTS) {
                        a.mov(QWORD, GPRS[n++ % 16], new Mem.Based(Mem.Segment.NONE, base, index, scale, disp));
                    }
                }
            }
        }
        for (Width w : WIDTHS) {
            for (Gpr d : GPRS) {
                for (Gpr s : GPRS) {
                    a.mov(w, d, s);
                }
                for (Mem m : memories()) {
                    withMem(m, () -> a.mov(w, d, m));
                    withMem(m, () -> a.mov(w, m, d));
                }
                for (long v : IMMEDIATES) {
                    immediate("mov", w, v, w == QWORD || fits(w, v), () -> a.mov(w, d, v));
                }
            }
            for (Mem m : memories()) {
                for (long v : IMMEDIATES) {
                    immediate("mov-mem", w, v, fits(w, v), () -> withMem(m, () -> a.mov(w, m, v)));
                }
            }
        }
        for (Gpr d : GPRS) {
            for (Gpr s : GPRS) {
                for (Width from : new Width[] {BYTE, WORD}) {
                    a.movzx(from, d, s);
                    for (Width to : new Width[] {WORD, DWORD, QWORD}) {
                        if (to.bits() > from.bits()) {
                            a.movsx(to, from, d, s);
                        }
                    }
                }
                a.movsx(QWORD, DWORD, d, s);
            }
            for (Mem m : memories()) {
                withMem(m, () -> a.movzx(BYTE, d, m));
                withMem(m, () -> a.movzx(WORD, d, m));
                withMem(m, () -> a.movsx(QWORD, BYTE, d, m));
                withMem(m, () -> a.movsx(DWORD, WORD, d, m));
                withMem(m, () -> a.movsx(QWORD, DWORD, d, m));
                if (!(m instanceof Mem.Based b && b.segment() != Mem.Segment.NONE)) {
                    withMem(m, () -> a.lea(d, m));
                }
                withMem(m, () -> a.xchg(QWORD, m, d));
                withMem(m, () -> a.lockXadd(DWORD, m, d));
                withMem(m, () -> a.lockCmpxchg(QWORD, m, d));
            }
            for (Width w : WIDTHS) {
                a.xchg(w, Mem.of(d, 8), Gpr.of(15 - d.number()));
                a.lockXadd(w, Mem.of(d), Gpr.of(15 - d.number()));
                a.lockCmpxchg(w, Mem.of(d, -8), Gpr.of(15 - d.number()));
            }
            a.push(d);
            a.pop(d);
            a.lea(Gpr.RSP, Mem.of(Gpr.RSP, -128));
        }
        for (long v : IMMEDIATES) {
            immediate("push", QWORD, v, v == (int) v, () -> a.push(v));
        }
        for (Mem m : memories()) {
            withMem(m, () -> a.push(m));
            withMem(m, () -> a.pop(m));
        }
        a.pushfq();
        a.popfq();
        a.mfence();
        a.sfence();
        a.lfence();
    }

    private void arithmetic() {
        for (Assembler.Alu op : Assembler.Alu.values()) {
            for (Width w : WIDTHS) {
                for (Gpr d : GPRS) {
                    for (Gpr s : GPRS) {
                        a.alu(op, w, d, s);
                    }
                    for (long v : IMMEDIATES) {
                        immediate(op.name(), w, v, fits(w, v), () -> a.alu(op, w, d, v));
                    }
                    Mem m = Mem.of(d, Gpr.of((d.number() + 1) % 16 == 4 ? 5 : (d.number() + 1) % 16), 4, 0x40);
                    a.alu(op, w, d, m);
                    a.alu(op, w, m, d);
                }
                for (Mem m : memories()) {
                    withMem(m, () -> a.alu(op, w, Gpr.RCX, m));
                    for (long v : new long[] {1, -1, 0x80, 0x7fffffff}) {
                        immediate(op.name(), w, v, fits(w, v), () -> withMem(m, () -> a.alu(op, w, m, v)));
                    }
                }
            }
        }
        for (Width w : WIDTHS) {
            for (Gpr d : GPRS) {
                for (Gpr s : GPRS) {
                    a.test(w, d, s);
                    if (w != BYTE) {
                        a.imul(w, d, s);
                    }
                }
                for (long v : IMMEDIATES) {
                    immediate("test", w, v, fits(w, v), () -> a.test(w, d, v));
                }
                a.inc(w, d);
                a.dec(w, d);
                a.not(w, d);
                a.neg(w, d);
                for (Assembler.Shift op : Assembler.Shift.values()) {
                    for (int count : new int[] {1, 2, 7, w.bits() - 1}) {
                        a.shift(op, w, d, count);
                    }
                }
            }
            for (Mem m : memories()) {
                withMem(m, () -> a.test(w, m, 0x41));
                withMem(m, () -> a.inc(w, m));
                withMem(m, () -> a.dec(w, m));
                withMem(m, () -> a.shift(Assembler.Shift.SHL, w, m, 1));
                withMem(m, () -> a.shift(Assembler.Shift.SAR, w, m, 3));
                if (w != BYTE) {
                    withMem(m, () -> a.imul(w, Gpr.R9, m));
                }
            }
        }
    }

    private void control() {
        // rel8 exactly at its limits and one byte past them, to addresses
        for (long d : new long[] {0, 0x7f, 0x80, -0x80, -0x81, 0x1000, -0x1000, 0x7fff0000L, -0x7fff0000L}) {
            long target = a.here() + 2 + d;
            expect("jmp", () -> target, null, () -> a.jmp(target));
            for (Condition c : Condition.values()) {
                long t = a.here() + 2 + d;
                expect("jcc", () -> t, null, () -> a.jcc(c, t));
            }
            long t = a.here() + 5 + d;
            expect("call", () -> t, null, () -> a.call(t));
            long near = a.here() + 5 + d;
            expect("jmp", () -> near, null, () -> a.jmpNear(near));
        }
        // labels, backward and forward, short and near
        Label back = a.label("back");
        a.bind(back);
        a.nop(1);
        Label fwd = a.label("fwd");
        Label far = a.label("far");
        expect("jmp", () -> a.address(back), null, () -> a.jmp(back));
        expect("jmp", () -> a.address(far), null, () -> a.jmpNear(far));
        for (Condition c : Condition.values()) {
            expect("jcc", () -> a.address(back), null, () -> a.jcc(c, back));
            expect("jcc", () -> a.address(far), null, () -> a.jccNear(c, far));
            expect("jcc", () -> a.address(far), null, () -> a.jcc(c, far));
        }
        expect("call", () -> a.address(fwd), null, () -> a.call(fwd));
        expect("jmp", () -> a.address(fwd), null, () -> a.jmp(fwd));
        for (Condition c : Condition.values()) {
            expect("jcc", () -> a.address(fwd), null, () -> a.jccShort(c, fwd));
        }
        expect("jmp", () -> a.address(fwd), null, () -> a.jmpShort(fwd));
        a.bind(fwd);
        a.nop(2);
        a.align(256);
        a.bind(far);
        a.nop(3);
        for (Gpr r : GPRS) {
            expect("jmp-indirect", null, null, () -> a.jmp(r));
            expect("call-indirect", null, null, () -> a.call(r));
        }
        for (Mem m : memories()) {
            expect("jmp-indirect", null, m instanceof Mem.Rip r ? r::target : null, () -> a.jmp(m));
            expect("call-indirect", null, m instanceof Mem.Rip r ? r::target : null, () -> a.call(m));
        }
        // through data words placed after the code
        Label word = a.label("word");
        Label code = a.label("code");
        a.bind(code);
        expect("jmp-indirect", null, () -> a.address(word), () -> a.jmp(Mem.rip(word)));
        expect(null, null, () -> a.address(word), () -> a.mov(QWORD, Gpr.R11, Mem.rip(word)));
        expect(null, null, () -> a.address(word), () -> a.lea(Gpr.RAX, Mem.rip(word)));
        expect(null, null, () -> a.address(word), () -> a.mov(DWORD, Mem.rip(word), 0x1234));
        expect("ret", null, null, a::ret);
        data.add(() -> {
            a.align(8);
            a.bind(word);
            a.quad(code);
            a.quad(0x1122334455667788L);
            a.bytes((byte) 0xcc, (byte) 0x90);
        });
    }

    private void system() {
        a.rdtsc();
        a.rdtscp();
        a.cpuid();
        a.pause();
        expect("syscall", null, null, a::syscall);
        expect("int3", null, null, a::int3);
        a.ud2();
        for (Gpr r : GPRS) {
            a.rdpid(r);
            a.lsl(r, Gpr.of(15 - r.number()));
        }
        for (int n = 1; n <= 9; n++) {
            a.nop(n);
        }
    }
}
