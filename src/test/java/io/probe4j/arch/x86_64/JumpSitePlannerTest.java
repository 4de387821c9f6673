package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where a 5-byte jump may go, on the functions of the inline fixture library, with the reasons a user reads. */
class JumpSitePlannerTest {
    static ElfFile elf;
    static BranchTargets targets;

    @BeforeAll
    static void compile() {
        elf = ElfFile.open(Fixtures.compileAs("libinline.so", "inline_lib.c", "-shared", "-fPIC", "-O2"));
        targets = BranchTargets.scan(BranchTargets.regions(elf));
    }

    static JumpSitePlanner.Function function(String name) {
        ElfSymbol s = elf.symbols().defined(name).getFirst();
        return new JumpSitePlanner.Function(name, s.value(), elf.functionBytes(s));
    }

    static JumpSite plan(String name, int offset) {
        JumpSitePlanner.Function f = function(name);
        return JumpSitePlanner.plan(f, f.address() + offset, targets);
    }

    static String refusal(String name, int offset) {
        return assertInstanceOf(JumpSite.Refused.class, plan(name, offset)).reason();
    }

    static List<String> displaced(String name, int offset) {
        return assertInstanceOf(JumpSite.Patchable.class, plan(name, offset)).displaced().stream().map(Instruction::hex).toList();
    }

    @Test
    void aFunctionOfTwoInstructionsTakesTheJumpOverBoth() {
        assertEquals(List.of("488d0437", "c3"), displaced("il_add", 0)); // lea (%rdi,%rsi),%rax; ret
    }

    @Test
    void aCallCanBeDisplacedAsTheLastInstruction() {
        List<String> run = displaced("il_strlen", 0); // push %rbx; mov %rsi,%rbx; call strlen
        assertEquals(3, run.size());
        assertTrue(run.get(2).startsWith("e8"), run.toString());
    }

    @Test
    void aLoopBackIntoTheFirstBytesIsRefusedNamingTheJump() {
        assertEquals("a jump at +0x8 lands at +0x2, inside the 5 bytes the jump would replace", refusal("il_loopback", 0));
    }

    @Test
    void aFunctionShorterThanTheJumpIsRefused() {
        assertEquals("il_tiny ends 3 bytes after the probe; the jump needs 5", refusal("il_tiny", 0));
    }

    @Test
    void aSyscallIsNeverMovedIntoATrampoline() {
        assertEquals(List.of("b827000000"), displaced("il_getpid", 0)); // mov $39,%eax alone is 5 bytes
        assertEquals("a syscall at +0x5 would run in the trampoline, where a thread blocked in it could never be moved out",
                refusal("il_getpid", 5));
    }

    @Test
    void aRetBeforeFiveBytesIsRefused() {
        assertEquals("the ret at +0xa ends the run before 5 bytes: what follows it is reached only by jumps",
                refusal("il_pair_sum", 7)); // add %rsi,%rax (3 bytes); ret
    }

    @Test
    void anOffsetInsideAnInstructionIsRefused() {
        assertEquals("+0x1 is not an instruction boundary of il_add", refusal("il_add", 1));
    }

    @Test
    void caseLabelsOfAJumpTableAreTargetsToo() {
        JumpSitePlanner.Function f = function("il_switch");
        List<String> byTable = new java.util.ArrayList<>();
        for (int off = 0; off < f.bytes().length; ) {
            if (JumpSitePlanner.plan(f, f.address() + off, targets) instanceof JumpSite.Refused r && r.reason().startsWith("the jump table")) {
                byTable.add(r.reason());
            }
            off += Decoder.decode(f.bytes(), off, f.bytes().length, f.address() + off).length();
        }
        // the padding nops before four of the eight case labels: each run of nop and first case instruction
        assertEquals(4, byTable.size(), byTable.toString());
        assertTrue(byTable.getFirst().matches("the jump table at 0x[0-9a-f]+ lands at \\+0x[0-9a-f]+, inside the \\d bytes the jump would replace"),
                byTable.getFirst());
    }

    @Test
    void aTailCallThroughARegisterMakesMultiInstructionSitesUnsafe() {
        assertEquals("il_call_ptr jumps through a register at +0x7 (a tail call, or a jump table that cannot be read), so a "
                + "jump could land inside the 7 bytes", refusal("il_call_ptr", 0));
    }
}
