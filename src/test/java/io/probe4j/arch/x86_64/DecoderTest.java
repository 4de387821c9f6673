package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One instruction per encoding feature; lengths are also checked against objdump in one batch. */
class DecoderTest {
    static final HexFormat HEX = HexFormat.of();

    /** An expected layout: map, opcode, displacement size, immediate sizes, RIP-relative. */
    record Case(String what, String hex, OpcodeMap map, int opcode, int disp, int imm, int imm2, boolean rip) {
    }

    static final List<Case> CASES = List.of(
            new Case("add r/m8, r8", "0000", OpcodeMap.ONE_BYTE, 0x00, 0, 0, 0, false),
            new Case("add al, imm8", "0401", OpcodeMap.ONE_BYTE, 0x04, 0, 1, 0, false),
            new Case("add eax, imm32", "0501000000", OpcodeMap.ONE_BYTE, 0x05, 0, 4, 0, false),
            new Case("add ax, imm16 (66)", "66050100", OpcodeMap.ONE_BYTE, 0x05, 0, 2, 0, false),
            new Case("add rax, imm32 (REX.W keeps imm32)", "480501000000", OpcodeMap.ONE_BYTE, 0x05, 0, 4, 0, false),
            new Case("66 and REX.W: REX.W wins", "66480501000000", OpcodeMap.ONE_BYTE, 0x05, 0, 4, 0, false),
            new Case("mov eax, imm32", "b844332211", OpcodeMap.ONE_BYTE, 0xb8, 0, 4, 0, false),
            new Case("movabs rax, imm64", "48b88877665544332211", OpcodeMap.ONE_BYTE, 0xb8, 0, 8, 0, false),
            new Case("mov ax, imm16", "66b83412", OpcodeMap.ONE_BYTE, 0xb8, 0, 2, 0, false),
            new Case("movabs moffs64 -> eax", "a18877665544332211", OpcodeMap.ONE_BYTE, 0xa1, 0, 8, 0, false),
            new Case("mov moffs32 (67) -> eax", "67a144332211", OpcodeMap.ONE_BYTE, 0xa1, 0, 4, 0, false),
            new Case("test r/m8, imm8 (F6 /0)", "f6c101", OpcodeMap.ONE_BYTE, 0xf6, 0, 1, 0, false),
            new Case("neg r/m8 (F6 /3): no immediate", "f6d9", OpcodeMap.ONE_BYTE, 0xf6, 0, 0, 0, false),
            new Case("test r/m32, imm32 (F7 /0) RIP", "f70501000000ff000000", OpcodeMap.ONE_BYTE, 0xf7, 4, 4, 0, true),
            new Case("test r/m16, imm16 (66 F7 /0)", "66f7c13412", OpcodeMap.ONE_BYTE, 0xf7, 0, 2, 0, false),
            new Case("enter imm16, imm8", "c8100005", OpcodeMap.ONE_BYTE, 0xc8, 0, 2, 1, false),
            new Case("ret imm16", "c20800", OpcodeMap.ONE_BYTE, 0xc2, 0, 2, 0, false),
            new Case("jmp rel8", "ebfe", OpcodeMap.ONE_BYTE, 0xeb, 0, 1, 0, false),
            new Case("call rel32", "e800000000", OpcodeMap.ONE_BYTE, 0xe8, 0, 4, 0, false),
            new Case("jmpw rel16 (66, AMD64)", "66e90000", OpcodeMap.ONE_BYTE, 0xe9, 0, 2, 0, false),
            new Case("SIB with no base, disp32", "8b042500000000", OpcodeMap.ONE_BYTE, 0x8b, 4, 0, 0, false),
            new Case("SIB rbp base needs disp8", "8b442d00", OpcodeMap.ONE_BYTE, 0x8b, 1, 0, 0, false),
            new Case("[r13] needs disp8 (REX.B)", "418b4500", OpcodeMap.ONE_BYTE, 0x8b, 1, 0, 0, false),
            new Case("RIP-relative mov", "488b0500000000", OpcodeMap.ONE_BYTE, 0x8b, 4, 0, 0, true),
            new Case("RIP-relative with REX.B still RIP", "498b0500000000", OpcodeMap.ONE_BYTE, 0x8b, 4, 0, 0, true),
            new Case("EIP-relative (67)", "678b0500000000", OpcodeMap.ONE_BYTE, 0x8b, 4, 0, 0, true),
            new Case("cmpl imm8 after RIP disp", "833d0000000007", OpcodeMap.ONE_BYTE, 0x83, 4, 1, 0, true),
            new Case("prefixes in any order, repeated", "662e66f0ff00", OpcodeMap.ONE_BYTE, 0xff, 0, 0, 0, false),
            new Case("xbegin rel32", "c7f800000000", OpcodeMap.ONE_BYTE, 0xc7, 0, 4, 0, false),
            new Case("syscall", "0f05", OpcodeMap.MAP_0F, 0x05, 0, 0, 0, false),
            new Case("jne rel32", "0f8500000000", OpcodeMap.MAP_0F, 0x85, 0, 4, 0, false),
            new Case("mov cr0: mod ignored", "0f2005", OpcodeMap.MAP_0F, 0x20, 0, 0, 0, false),
            new Case("pshufd imm8", "660f70c101", OpcodeMap.MAP_0F, 0x70, 0, 1, 0, false),
            new Case("extrq imm8, imm8", "660f78c00102", OpcodeMap.MAP_0F, 0x78, 0, 1, 1, false),
            new Case("insertq imm8, imm8", "f20f78c10102", OpcodeMap.MAP_0F, 0x78, 0, 1, 1, false),
            new Case("vmread: no immediate", "0f78c3", OpcodeMap.MAP_0F, 0x78, 0, 0, 0, false),
            new Case("endbr64", "f30f1efa", OpcodeMap.MAP_0F, 0x1e, 0, 0, 0, false),
            new Case("3DNow! pfadd", "0f0fc19e", OpcodeMap.MAP_3DNOW, 0x9e, 0, 0, 0, false),
            new Case("pshufb (0F 38)", "660f3800c1", OpcodeMap.MAP_0F38, 0x00, 0, 0, 0, false),
            new Case("palignr (0F 3A) imm8", "660f3a0fc108", OpcodeMap.MAP_0F3A, 0x0f, 0, 1, 0, false),
            new Case("VEX2 vmovups RIP", "c5fc100500000000", OpcodeMap.MAP_0F, 0x10, 4, 0, 0, true),
            new Case("VEX2 vzeroupper", "c5f877", OpcodeMap.MAP_0F, 0x77, 0, 0, 0, false),
            new Case("VEX3 vpshufb map 2", "c4e27100c2", OpcodeMap.MAP_0F38, 0x00, 0, 0, 0, false),
            new Case("VEX3 vpblendd map 3 imm8", "c4e3710ec201", OpcodeMap.MAP_0F3A, 0x0e, 0, 1, 0, false),
            new Case("VEX vpshufd imm8", "c5f970c101", OpcodeMap.MAP_0F, 0x70, 0, 1, 0, false),
            new Case("EVEX vmovdqu64 disp8*N", "62f1fe486f4001", OpcodeMap.MAP_0F, 0x6f, 1, 0, 0, false),
            new Case("EVEX vpternlogd imm8", "62f3754825c2ff", OpcodeMap.MAP_0F3A, 0x25, 0, 1, 0, false),
            new Case("EVEX RIP-relative", "62f17c48100500000000", OpcodeMap.MAP_0F, 0x10, 4, 0, 0, true),
            new Case("EVEX map 5 (FP16) vaddph", "62f5744858c2", OpcodeMap.EVEX_MAP5, 0x58, 0, 0, 0, false),
            new Case("XOP vprotb imm8 (map 8)", "8fe878c0c101", OpcodeMap.XOP8, 0xc0, 0, 1, 0, false),
            new Case("XOP map 9", "8fe97890c1", OpcodeMap.XOP9, 0x90, 0, 0, 0, false),
            new Case("XOP bextr imm32 (map 10)", "8fea7810c101000000", OpcodeMap.XOPA, 0x10, 0, 4, 0, false),
            new Case("pop r/m (8F /0) is not XOP", "8f00", OpcodeMap.ONE_BYTE, 0x8f, 0, 0, 0, false),
            new Case("AMX tileloadd (VEX map 2)", "c4e27b4b0c08", OpcodeMap.MAP_0F38, 0x4b, 0, 0, 0, false),
            new Case("fwait alone", "9b", OpcodeMap.ONE_BYTE, 0x9b, 0, 0, 0, false));

    @Test
    void eachEncodingFeatureDecodesToItsLayout() {
        for (Case c : CASES) {
            Instruction i = Decoder.decode(HEX.parseHex(c.hex), 0x1000);
            String w = c.what + " " + c.hex;
            assertEquals(c.hex.length() / 2, i.length(), w + ": length");
            assertEquals(c.map, i.map(), w + ": map");
            assertEquals(c.opcode, i.opcode(), w + ": opcode");
            assertEquals(c.disp, i.displacementSize(), w + ": displacement");
            assertEquals(c.imm, i.immediateSize(), w + ": immediate");
            assertEquals(c.imm2, i.immediate2Size(), w + ": second immediate");
            assertEquals(c.rip, i.ripRelative(), w + ": RIP-relative");
        }
    }

    @Test
    void caseLengthsAgreeWithObjdump() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<Long> starts = new ArrayList<>();
        for (Case c : CASES) {
            starts.add((long) all.size());
            all.writeBytes(HEX.parseHex(c.hex));
        }
        Path bin = Files.createTempFile("x86_cases", ".bin");
        try {
            Files.write(bin, all.toByteArray());
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-w",
                    bin.toString()).start();
            List<Long> objdump = new ArrayList<>();
            for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                var m = java.util.regex.Pattern.compile("^ *([0-9a-f]+):\t").matcher(line);
                if (m.find()) {
                    objdump.add(Long.parseLong(m.group(1), 16));
                }
            }
            p.waitFor();
            assertEquals(starts, objdump);
        } finally {
            Files.deleteIfExists(bin);
        }
    }

    @Test
    void ripTargetCountsTheImmediateThatFollowsTheDisplacement() {
        // cmpl $7, 0x10(%rip) at 0x1000: 7 bytes, next 0x1007, target 0x1017
        Instruction i = Decoder.decode(HEX.parseHex("833d1000000007"), 0x1000);
        assertEquals(0x1017, i.ripTarget());
        assertEquals(7, i.immediate());
    }

    @Test
    void eipRelativeTargetWrapsTo32Bits() {
        Instruction i = Decoder.decode(HEX.parseHex("678b05f0ffffff"), 0x7_0000_0000L);
        assertEquals(0x7_0000_0007L - 0x10 & 0xffffffffL, i.ripTarget());
    }

    @Test
    void invalidInLongModeAndTruncatedBytesAreUndecodable() {
        for (String bad : new String[] {"06", "07", "0e", "16", "1e", "27", "37", "60", "61", "82", "9a", "ce", "d4", "d6",
            "ea", "0f04", "0f0a", "0f36", "0f24", "c4e4", "8b", "e8000000", "66c5f877"}) {
            assertThrows(UndecodableException.class, () -> Decoder.decode(HEX.parseHex(bad), 0x1000), bad);
        }
        byte[] sixteen = HEX.parseHex("66666666666666666666666666666690");
        UndecodableException e = assertThrows(UndecodableException.class, () -> Decoder.decode(sixteen, 0));
        assertTrue(e.getMessage().contains("15 bytes"), e.getMessage());
    }

    @Test
    void prefixesAndRexAreReported() {
        Instruction i = Decoder.decode(HEX.parseHex("f0664c0fb10a"), 0);
        assertEquals(2, i.prefixCount());
        assertEquals(0x4c, i.rex());
        assertTrue(i.hasPrefix(0xf0));
        assertFalse(i.hasPrefix(0xf3));
        assertEquals(4, i.modrmOffset() - 1);
    }

    @Test
    void controlFlowKindsAndTargets() {
        assertEquals(new ControlFlow.Jump(1, 0x1000), Decoder.decode(HEX.parseHex("ebfe"), 0x1000).controlFlow());
        assertEquals(new ControlFlow.ConditionalJump(Condition.NE, 4, 0x1010),
                Decoder.decode(HEX.parseHex("0f850a000000"), 0x1000).controlFlow());
        assertEquals(new ControlFlow.Call(4, 0x0ff5), Decoder.decode(HEX.parseHex("e8f0ffffff"), 0x1000).controlFlow());
        assertEquals(new ControlFlow.Return(8, false), Decoder.decode(HEX.parseHex("c20800"), 0).controlFlow());
        assertEquals(new ControlFlow.IndirectCall(false), Decoder.decode(HEX.parseHex("ff15aaaaaaaa"), 0).controlFlow());
        assertEquals(new ControlFlow.IndirectJump(false), Decoder.decode(HEX.parseHex("3effe0"), 0).controlFlow());
        assertEquals(new ControlFlow.Loop(ControlFlow.LoopKind.JRCXZ, true, 0x1003),
                Decoder.decode(HEX.parseHex("67e300"), 0x1000).controlFlow());
        assertEquals(new ControlFlow.Syscall(), Decoder.decode(HEX.parseHex("0f05"), 0).controlFlow());
        assertEquals(new ControlFlow.Int3(), Decoder.decode(HEX.parseHex("cc"), 0).controlFlow());
        assertEquals(new ControlFlow.Other(), Decoder.decode(HEX.parseHex("c5f877"), 0).controlFlow(),
                "VEX 77 is vzeroupper, not ja");
    }

    @Test
    void conditionsReadTheFlagsLikeTheManualSays() {
        long zf = Condition.ZF;
        long sf = Condition.SF;
        long of = Condition.OF;
        assertTrue(Condition.E.holds(zf));
        assertFalse(Condition.NE.holds(zf));
        assertTrue(Condition.L.holds(sf));
        assertFalse(Condition.L.holds(sf | of));
        assertTrue(Condition.LE.holds(zf | sf | of));
        assertTrue(Condition.A.holds(0));
        assertFalse(Condition.A.holds(Condition.CF));
    }

    /** {@link Instruction#at} stands for decoding again at the new address: every field alike, every target moved. */
    @Test
    void anInstructionMovedIsTheSameInstructionDecodedThere() throws Exception {
        io.probe4j.elf.ElfFile libc = io.probe4j.elf.ElfFile.open(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
        io.probe4j.elf.SectionHeader text = libc.section(".text").orElseThrow();
        byte[] code = libc.bytes(text.offset(), (int) Math.min(text.size(), 150_000));
        int compared = 0, ripRelative = 0, branches = 0;
        for (int at = 0; at < code.length; ) {
            Instruction insn;
            try {
                insn = Decoder.decode(code, at, code.length, text.addr() + at);
            } catch (UndecodableException e) {
                at++;
                continue;
            }
            for (long bias : new long[] {0x7f12_3456_7000L, -0x1000L}) {
                Instruction moved = insn.at(insn.address() + bias);
                Instruction decoded = Decoder.decode(insn.bytes(), insn.address() + bias);
                assertEquals(fields(decoded), fields(moved), insn + " moved by " + bias);
                assertEquals(decoded.controlFlow(), moved.controlFlow(), insn.toString());
                if (insn.ripRelative()) {
                    assertEquals(decoded.ripTarget(), moved.ripTarget(), insn.toString());
                }
            }
            compared++;
            ripRelative += insn.ripRelative() ? 1 : 0;
            branches += insn.controlFlow() instanceof ControlFlow.Jump || insn.controlFlow() instanceof ControlFlow.Call ? 1 : 0;
            at += insn.length();
        }
        assertTrue(compared > 20_000 && ripRelative > 500 && branches > 2_000, compared + " " + ripRelative + " " + branches);
    }

    /** Every component of {@code i}, its bytes by content. */
    private static List<Object> fields(Instruction i) {
        return List.of(i.address(), HexFormat.of().formatHex(i.bytes()), i.prefixCount(), i.rexOffset(), i.encoding(),
                i.vexOffset(), i.map(), i.opcode(), i.opcodeOffset(), i.modrmOffset(), i.sibOffset(), i.displacementOffset(),
                i.displacementSize(), i.immediateOffset(), i.immediateSize(), i.immediate2Size(), i.ripRelative());
    }
}
