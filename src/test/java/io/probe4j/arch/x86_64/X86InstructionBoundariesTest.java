package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.probe4j.elf.InstructionBoundaries.Verdict;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X86InstructionBoundariesTest {
    // push %rbp; mov %rsp,%rbp; mov 0x10(%rip),%rax; ret
    static final byte[] CODE = HexFormat.of().parseHex("554889e5488b0510000000c3");

    @Test
    void instructionStartsAreBoundariesAndInnerBytesSayWhereTheInstructionIs() {
        for (int start : new int[] {0, 1, 4, 11}) {
            assertInstanceOf(Verdict.Boundary.class, X86InstructionBoundaries.INSTANCE.check(CODE, start));
        }
        assertEquals(new Verdict.Inside(4, 11), X86InstructionBoundaries.INSTANCE.check(CODE, 7));
        assertEquals(new Verdict.Inside(1, 4), X86InstructionBoundaries.INSTANCE.check(CODE, 2));
    }

    @Test
    void undecodableBytesBeforeTheOffsetMakeTheAnswerUnknown() {
        byte[] code = HexFormat.of().parseHex("5506c3");
        Verdict v = X86InstructionBoundaries.INSTANCE.check(code, 2);
        assertInstanceOf(Verdict.Unknown.class, v);
    }
}
