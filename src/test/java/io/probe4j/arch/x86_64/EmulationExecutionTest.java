package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every emulation against the CPU: the harness single-steps the real instruction from a register
 * set, and the {@link Effect} computed from the same registers (and memory) must give the same
 * instruction pointer, stack pointer, pushed value and registers, and leave everything else alone.
 */
class EmulationExecutionTest {
    static X86Exec exec;
    static long page;
    static long at;
    static int cases;

    @BeforeAll
    static void start() throws Exception {
        exec = new X86Exec();
        page = (exec.symbols.get("x86r_globals") & ~0xfffL) + 0x2000_0000L;
        at = page + 0x400;
        exec.map(page, 0x1000);
    }

    @AfterAll
    static void stop() {
        System.out.println(cases + " emulations compared with the CPU");
        exec.close();
    }

    static long[] regs() {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) {
            r[i] = 0x2222_0000L * (i + 1) + i;
        }
        r[Gpr.RSP.ordinal()] = exec.stack + exec.stackSize / 2;
        return r;
    }

    /** Steps {@code hex} placed at {@code at} once on the CPU and compares with the emulation. */
    static void check(String hex, long[] regs, long flags) throws IOException {
        byte[] bytes = HexFormat.of().parseHex(hex);
        exec.poke(at, bytes);
        Instruction insn = Decoder.decode(bytes, at);
        Emulation emulation = assertInstanceOf(XolPlan.Emulate.class, Relocator.plan(insn, page + 0x800), hex)
                .emulation();
        X86Exec.State before = new X86Exec.State(at, regs.clone(), flags, 0, exec.fsBase);
        Effect effect = emulation.apply(before, address -> {
            try {
                return exec.peek64(address);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        X86Exec.State cpu = exec.step(at, 0, 1, regs.clone(), flags);
        String what = hex + " " + emulation + " flags=0x" + Long.toHexString(flags) + " rcx=" + regs[1];
        assertEquals(Long.toHexString(cpu.ip()), Long.toHexString(effect.ip()), what + ": ip");
        assertEquals(cpu.get(Gpr.RSP), effect.sp(), what + ": sp");
        if (effect.store().isPresent()) {
            assertEquals(Long.toHexString(exec.peek64(cpu.get(Gpr.RSP))), Long.toHexString(effect.store().getAsLong()),
                    what + ": pushed value");
        }
        for (Gpr r : Gpr.values()) {
            long expected = r == Gpr.RSP ? effect.sp() : effect.registers().getOrDefault(r, regs[r.ordinal()]);
            assertEquals(Long.toHexString(cpu.get(r)), Long.toHexString(expected), what + ": " + r);
        }
        assertEquals(flags & 0xcd5, cpu.flags() & 0xcd5, what + ": flags untouched");
        cases++;
    }

    static final long[] FLAG_SETS = {0, Condition.CF, Condition.PF, Condition.ZF, Condition.SF, Condition.OF,
        Condition.CF | Condition.ZF, Condition.SF | Condition.OF, Condition.ZF | Condition.SF,
        Condition.ZF | Condition.OF, Condition.CF | Condition.PF | Condition.ZF | Condition.SF | Condition.OF};

    @Test
    void everyConditionalJumpFollowsTheFlagsLikeTheCpu() throws Exception {
        for (int cc = 0; cc < 16; cc++) {
            for (long flags : FLAG_SETS) {
                check(String.format("%02x10", 0x70 + cc), regs(), flags);                  // jcc rel8 forward
                check(String.format("0f%02xc0feffff", 0x80 + cc), regs(), flags);         // jcc rel32 backward
            }
        }
    }

    @Test
    void jumpsCallsAndReturnsMatchTheCpu() throws Exception {
        check("eb80", regs(), 0);                 // jmp rel8 backward
        check("e900100000", regs(), 0);           // jmp rel32
        check("e8f0ffffff", regs(), 0);           // call rel32: pushes the original next address
        long[] r = regs();
        exec.poke64(r[Gpr.RSP.ordinal()], page + 0x123);
        check("c3", r, 0);                        // ret
        check("c21000", r, 0);                    // ret $0x10
        check("f3c3", r, 0);                      // repz ret
    }

    @Test
    void pushOfEveryRegisterMatchesTheCpu() throws Exception {
        for (int n = 0; n < 8; n++) {
            check(String.format("%02x", 0x50 + n), regs(), 0);         // push %rax .. %rdi, incl. %rsp
            check(String.format("41%02x", 0x50 + n), regs(), 0);       // push %r8 .. %r15
            check(String.format("48%02x", 0x50 + n), regs(), 0);       // REX.W changes nothing
        }
    }

    @Test
    void nopsAndEndbrOnlyMoveTheInstructionPointer() throws Exception {
        for (String nop : new String[] {"90", "6690", "f390", "4890", "0f1f00", "0f1f4000", "0f1f440000",
            "660f1f440000", "0f1f8000000000", "0f1f840000000000", "660f1f840000000000", "f30f1efa"}) {
            check(nop, regs(), Condition.ZF);
        }
    }

    @Test
    void loopFamilyCountsAndBranchesLikeTheCpu() throws Exception {
        for (String op : new String[] {"e0f0", "e1f0", "e2f0", "e3f0"}) { // loopne, loope, loop, jrcxz
            for (long rcx : new long[] {0, 1, 2, 0x1_0000_0001L}) {
                for (long flags : new long[] {0, Condition.ZF}) {
                    long[] r = regs();
                    r[Gpr.RCX.ordinal()] = rcx;
                    check(op, r, flags);
                }
            }
        }
    }

    @Test
    void indirectCallsPushTheOriginalReturnAddress() throws Exception {
        long target = page + 0x200;
        long data = page + 0x900;
        long[] r = regs();
        r[Gpr.RAX.ordinal()] = target;
        check("ffd0", r, 0);                       // call *%rax
        r = regs();
        r[Gpr.R11.ordinal()] = target + 8;
        check("41ffd3", r, 0);                     // call *%r11
        r = regs();
        exec.poke64(r[Gpr.RSP.ordinal()] + 8, target + 16);
        check("ff542408", r, 0);                   // call *0x8(%rsp)
        exec.poke64(data, target + 24);
        long disp = data - (at + 6);
        check(String.format("ff15%s", le32(disp)), regs(), 0); // call *data(%rip)
        r = regs();
        r[Gpr.RAX.ordinal()] = data - 16;
        r[Gpr.RCX.ordinal()] = 2;
        check("ff14c8", r, 0);                     // call *(%rax,%rcx,8)
        r = regs();
        r[Gpr.R13.ordinal()] = data - 0x40;
        r[Gpr.R9.ordinal()] = 8;
        check("43ff54cd00", r, 0);                 // call *0x0(%r13,%r9,8): REX.X and REX.B, rbp-like base
        check("64ff142500000000", regs(), 0);     // call *%fs:0 (the TCB's self pointer): segment base added
    }

    static String le32(long v) {
        return String.format("%02x%02x%02x%02x", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff);
    }

    @Test
    void effectListsOnlyTheRegistersTheInstructionWrites() {
        Effect e = new Emulation.Push(Gpr.RBX, 0x1005).apply(new X86Exec.State(0, regs(), 0, 0, 0), a -> 0);
        assertEquals(Map.of(), e.registers());
    }
}
