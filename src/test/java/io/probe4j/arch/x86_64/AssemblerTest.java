package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The assembler's choices of branch width, its labels, and its errors, which name the instruction. */
class AssemblerTest {
    static final long BASE = 0x5555_0000_0000L;

    /** The size of the one instruction {@code emit} adds. */
    private static int size(Assembler a, Runnable emit) {
        long before = a.here();
        emit.run();
        return (int) (a.here() - before);
    }

    @Test
    void branchesToAddressesTakeRel8ExactlyWhenItReaches() {
        Assembler a = new Assembler(BASE);
        for (long d : new long[] {-128, 127}) {
            assertEquals(2, size(a, () -> a.jmp(a.here() + 2 + d)), "jmp " + d);
            assertEquals(2, size(a, () -> a.jcc(Condition.NE, a.here() + 2 + d)), "jne " + d);
        }
        for (long d : new long[] {-129, 128}) {
            assertEquals(5, size(a, () -> a.jmp(a.here() + 2 + d)), "jmp " + d);
            assertEquals(6, size(a, () -> a.jcc(Condition.NE, a.here() + 2 + d)), "jne " + d);
        }
        assertEquals(5, size(a, () -> a.jmpNear(a.here())), "jmpNear is always rel32, e.g. a probe site's patch");
        assertEquals(5, size(a, () -> a.call(a.here())));
    }

    @Test
    void branchesToLabelsTakeRel8BackwardWhenItReachesAndRel32ForwardUnlessShortIsAsked() {
        Assembler a = new Assembler(BASE);
        Label top = a.label("top");
        Label end = a.label("end");
        a.bind(top);
        assertEquals(2, size(a, () -> a.jcc(Condition.E, top)));
        assertEquals(6, size(a, () -> a.jcc(Condition.E, end)));
        assertEquals(5, size(a, () -> a.jmp(end)));
        assertEquals(2, size(a, () -> a.jmpShort(end)));
        assertEquals(2, size(a, () -> a.jccShort(Condition.B, end)));
        a.bind(end);
        a.ret();
        byte[] code = a.finish();
        // each waiting branch now lands on end
        long endAt = a.address(end);
        for (Assembler.Line l : a.lines()) {
            if (l.text().startsWith("j")) {
                Instruction i = Decoder.decode(code, (int) (l.address() - BASE), code.length, l.address());
                long target = switch (i.controlFlow()) {
                    case ControlFlow.Jump j -> j.target();
                    case ControlFlow.ConditionalJump j -> j.target();
                    default -> -1;
                };
                assertEquals(l.address() == BASE ? BASE : endAt, target, l.text());
            }
        }
    }

    @Test
    void aShortBranchThatDoesNotReachItsLabelNamesTheInstruction() {
        Assembler a = new Assembler(BASE);
        Label end = a.label("end");
        a.jccShort(Condition.A, end);
        for (int i = 0; i < 15; i++) {
            a.nop(9);
        }
        AssemblyException e = assertThrows(AssemblyException.class, () -> a.bind(end));
        assertEquals("ja 0x555500000089 at 0x555500000000: 0x555500000089 is out of reach of its rel8 displacement"
                + " (135 bytes away from 0x555500000002)", e.getMessage());
    }

    @Test
    void aTargetBeyondTwoGigabytesIsRefusedAndTheCodeSoFarStaysUsable() {
        Assembler a = new Assembler(BASE);
        a.push(Gpr.RBP);
        long far = a.here() + 5 + 0x8000_0000L;
        AssemblyException e = assertThrows(AssemblyException.class, () -> a.jmp(far));
        assertEquals("jmp 0x555580000006 at 0x555500000001: 0x555580000006 is out of reach of its rel32 displacement"
                + " (2147483648 bytes away from 0x555500000006)", e.getMessage());
        e = assertThrows(AssemblyException.class, () -> a.mov(QWORD, Gpr.RAX, Mem.rip(BASE - 0x8000_0000L)));
        assertTrue(e.getMessage().startsWith("mov -0x80000008(%rip),%rax        # 0x555480000000 at 0x555500000001:"
                + " 0x555480000000 is out of reach of its RIP-relative disp32"), e.getMessage());
        assertEquals(BASE + 1, a.here(), "nothing of the refused instructions was emitted");
        a.jmp(far - 1); // the farthest forward target a rel32 reaches
        assertEquals(2, a.lines().size());
    }

    @Test
    void immediatesTooWideForTheOperandNameTheInstruction() {
        Assembler a = new Assembler(BASE);
        AssemblyException e = assertThrows(AssemblyException.class,
                () -> a.alu(Assembler.Alu.ADD, BYTE, Gpr.RSI, 0x100));
        assertEquals("add $0x100,%sil at 0x555500000000: the immediate does not fit the 8-bit operand", e.getMessage());
        e = assertThrows(AssemblyException.class, () -> a.mov(QWORD, Mem.of(Gpr.RDI, 8), 0x8000_0000L));
        assertEquals("movq $0x80000000,0x8(%rdi) at 0x555500000000: the immediate does not fit a sign-extended imm32",
                e.getMessage());
    }

    @Test
    void labelsMustBeBoundOnceAndByTheirOwnAssembler() {
        Assembler a = new Assembler(BASE);
        Label done = a.label("done");
        a.mov(DWORD, Gpr.RAX, 1);
        a.jmp(done);
        AssemblyException e = assertThrows(AssemblyException.class, a::finish);
        assertEquals("label 'done' is never bound (used by jmp done at 0x555500000005)", e.getMessage());
        a.bind(done);
        e = assertThrows(AssemblyException.class, () -> a.bind(done));
        assertTrue(e.getMessage().startsWith("label 'done' is bound twice"), e.getMessage());
        Assembler b = new Assembler(BASE);
        e = assertThrows(AssemblyException.class, () -> b.jmp(done));
        assertEquals("label 'done' belongs to another assembler", e.getMessage());
    }

    @Test
    void dataWordsHoldAbsoluteAddressesOfLabels() {
        Assembler a = new Assembler(BASE);
        Label word = a.label("word");
        Label code = a.label("code");
        a.bind(code);
        a.jmp(Mem.rip(word));
        a.align(8);
        a.bind(word);
        a.quad(code);
        a.quad(-2);
        byte[] bytes = a.finish();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, a.address(word) - BASE);
        assertEquals(BASE, b.getLong(8));
        assertEquals(-2, b.getLong(16));
        assertEquals("jmp *0x2(%rip)        # 0x555500000008", a.lines().getFirst().text());
        assertEquals(".quad 0x555500000000", a.lines().get(2).text());
    }
}
