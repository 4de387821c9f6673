package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** One test per kernel rule, with the reason a user reads (the kernel oracle test covers accept/refuse). */
class ProbeabilityTest {
    static Probeability of(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        return Probeability.of(b, 0, b.length, 0x1000);
    }

    static void refused(String hex, String reasonPart) {
        Probeability p = of(hex);
        assertTrue(p instanceof Probeability.Refused r && r.reason().contains(reasonPart), hex + ": " + p);
    }

    @Test
    void lockPrefixIsRefused() {
        refused("f0ff00", "LOCK prefix");
        refused("66f00fb10a", "LOCK prefix");
    }

    @Test
    void esCsSsDsSegmentPrefixesAreRefusedButFsAndGsAreNot() {
        refused("268b00", "%es segment prefix");
        refused("662e0f1f840000000000", "%cs segment prefix");
        refused("368b00", "%ss segment prefix");
        refused("3effe0", "%ds segment prefix"); // notrack jmp *%rax
        assertTrue(of("64488b042528000000").probeable());
        assertTrue(of("65488b042508000000").probeable());
    }

    @Test
    void movToSsIsRefusedMovFromSsIsNot() {
        refused("8ed0", "mov to %ss");
        assertTrue(of("8cd0").probeable());
    }

    @Test
    void refusedOneByteOpcodesSayWhy() {
        refused("cc", "already a breakpoint (int3)");
        refused("cd80", "software interrupt");
        refused("f4", "hlt");
        refused("fa", "cli/sti");
        refused("ec", "port I/O");
        refused("6c", "port I/O");
        refused("48cf", "iret");
        refused("f1", "int1");
    }

    @Test
    void invalidInLongModeBytesAreRefusedAsUndecodable() {
        refused("06", "invalid in 64-bit mode");
        refused("9a", "invalid in 64-bit mode");
    }

    @Test
    void twoByteOpcodesPassBecauseTheKernelChecks0x0fInItsOneByteTable() {
        for (String hex : new String[] {"0f05", "0f0b", "0fa2", "0f31", "0f34", "0f30", "0fae e8".replace(" ", "")}) {
            assertTrue(of(hex).probeable(), hex);
        }
    }

    @Test
    void vexAndEvexOpcodesAreLookedUpInTheOneByteTable() {
        refused("c5fe6f00", "one-byte table");           // vmovdqu (%rax),%ymm0: opcode 6f
        refused("c5e9efd9", "one-byte table");           // vpxor: opcode ef
        refused("62f1fe486f00", "one-byte table");       // vmovdqu64: EVEX opcode 6f
        assertTrue(of("c5fc1000").probeable());          // vmovups: opcode 10
        assertTrue(of("62f16c4858d9").probeable());      // vaddps zmm: opcode 58
        assertTrue(of("c5f877").probeable());            // vzeroupper: opcode 77 (the kernel takes it for a jcc)
    }

    @Test
    void sixteenBitBranchesAreRefusedButA66NopIsNot() {
        refused("66e90000", "0x66");
        refused("66e80000", "0x66");
        refused("660f840000", "0x66");
        refused("667400", "0x66");
        assertTrue(of("6690").probeable());
        assertTrue(of("660f1f440000").probeable());
    }

    @Test
    void xopIsRefused() {
        refused("8fe878c0c101", "XOP");
    }

    @Test
    void ordinaryInstructionsAreProbeable() {
        for (String hex : new String[] {"55", "4157", "4889e5", "e800000000", "c3", "ff15aaaaaaaa", "f30f1efa", "0f05",
            "488b0500000000", "e2fe", "e3fe"}) {
            assertEquals(new Probeability.Probeable(), of(hex), hex);
        }
    }
}
