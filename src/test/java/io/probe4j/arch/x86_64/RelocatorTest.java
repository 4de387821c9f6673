package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Byte-level relocation and the choice between emulation and a slot (execution tests run them on the CPU). */
class RelocatorTest {
    static final HexFormat HEX = HexFormat.of();

    static Instruction at(String hex, long address) {
        return Decoder.decode(HEX.parseHex(hex), address);
    }

    @Test
    void jumpBackIsRel32WhenInReachElseAbsoluteThroughRip() {
        assertEquals("e9fb0f0000", HEX.formatHex(Relocator.jump(0x1000, 0x2000)));
        assertEquals("ff25000000000000000000100000", HEX.formatHex(Relocator.jump(0x1000, 0x1000_0000_0000L)));
    }

    @Test
    void shortBranchesGrowToRel32AndKeepTheirTarget() {
        // jne .+0x12 at 0x1000 (target 0x1012) moved to 0x5000: 0f 85 rel32, rel = 0x1012 - 0x5006
        byte[] b = Relocator.relocate(at("7510", 0x1000), 0x5000);
        assertEquals("0f85", HEX.formatHex(b, 0, 2));
        assertEquals(0x1012, Decoder.decode(b, 0x5000).controlFlow() instanceof ControlFlow.ConditionalJump j
                ? j.target() : -1);
        Instruction moved = Decoder.decode(Relocator.relocate(at("ebfe", 0x1000), 0x9000), 0x9000);
        assertEquals(new ControlFlow.Jump(4, 0x1000), moved.controlFlow());
    }

    @Test
    void ripRelativeDisplacementIsRetargetedAndImmediatesSurvive() {
        Instruction cmp = at("833d1000000007", 0x1000); // cmpl $7,0x10(%rip) -> target 0x1017
        Instruction moved = Decoder.decode(Relocator.relocate(cmp, 0x8000_0000L), 0x8000_0000L);
        assertEquals(0x1017, moved.ripTarget());
        assertEquals(7, moved.immediate());
    }

    @Test
    void ripTargetOutOfReachIsRefused() {
        RelocationException e = assertThrows(RelocationException.class,
                () -> Relocator.relocate(at("488b0500000000", 0x1000), 0x2_0000_0000L));
        assertEquals(true, e.getMessage().contains("out of ±2 GiB reach"), e.getMessage());
    }

    @Test
    void loopBecomesLoopOverAJmpRel32() {
        byte[] b = Relocator.relocate(at("e2fe", 0x1000), 0x4000); // loop .  (target 0x1000)
        assertEquals("e202eb05e9", HEX.formatHex(b, 0, 5));
        assertEquals(new ControlFlow.Jump(4, 0x1000), Decoder.decode(b, 4, b.length, 0x4004).controlFlow());
    }

    @Test
    void planEmulatesWhatDependsOnItsAddressAndCopiesTheRest() {
        long slot = 0x7000;
        assertInstanceOf(Emulation.Call.class, emulation(at("e800000000", 0x1000), slot));
        assertInstanceOf(Emulation.ConditionalJump.class, emulation(at("7400", 0x1000), slot));
        assertInstanceOf(Emulation.Return.class, emulation(at("c3", 0x1000), slot));
        assertInstanceOf(Emulation.Push.class, emulation(at("4155", 0x1000), slot));
        assertInstanceOf(Emulation.Nop.class, emulation(at("f30f1efa", 0x1000), slot));
        assertInstanceOf(Emulation.IndirectCall.class, emulation(at("ff15aaaaaaaa", 0x1000), slot));
        assertInstanceOf(Emulation.Loop.class, emulation(at("e2fe", 0x1000), slot));
        // xchg %eax,%r8d looks like a nop to the kernel; it is not one: copied, then jmp 0x1002 from 0x7002
        XolPlan.OutOfLine xchg = assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("4190", 0x1000), slot));
        assertArrayEquals(HEX.parseHex("4190e9fb9fffff"), xchg.code());
        assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("6650", 0x1000), slot));
        // VEX opcodes 70-7f are not jcc (the 6.18 kernel emulates vpcmpeqb as a jcc and skips it)
        assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("c5f174c1", 0x1000), slot));
        assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("c5f877", 0x1000), slot));
        assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("ffe0", 0x1000), slot));
        assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(at("0f05", 0x1000), slot));
    }

    @Test
    void planRefusesBreakpointsSixteenBitBranchesAndFarCalls() {
        assertThrows(RelocationException.class, () -> Relocator.plan(at("cc", 0x1000), 0x7000));
        assertThrows(RelocationException.class, () -> Relocator.plan(at("66e90000", 0x1000), 0x7000));
        assertThrows(RelocationException.class, () -> Relocator.plan(at("ff18", 0x1000), 0x7000));
    }

    static Emulation emulation(Instruction i, long slot) {
        return assertInstanceOf(XolPlan.Emulate.class, Relocator.plan(i, slot), i.toString()).emulation();
    }
}
