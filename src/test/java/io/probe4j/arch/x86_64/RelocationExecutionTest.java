package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relocated code runs on the real CPU (the {@code x86_exec} harness) and must do what the original
 * does: whole compiled functions copied to another page, and single probed instructions executed
 * out of line in a slot with the jump back.
 */
class RelocationExecutionTest {
    static X86Exec exec;
    static final Map<String, Long> sizes = new HashMap<>();
    static long near;   // a page within ±2 GiB of the harness's code
    static long far;    // a page out of reach
    static long page;   // where single instructions are placed (near the code, so near the slots too)

    @BeforeAll
    static void start() throws Exception {
        exec = new X86Exec();
        Process nm = new ProcessBuilder("nm", "-S", "--defined-only", exec.binary.toString()).start();
        for (String line : new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[3].startsWith("x86r_")) {
                sizes.put(f[3], Long.parseLong(f[1], 16));
            }
        }
        nm.waitFor();
        long code = exec.symbols.get("x86r_globals") & ~0xfffL;
        near = code + 0x4000_0000L;
        page = code + 0x3000_0000L;
        far = 0x1000_0000_0000L;
        exec.map(near, 0x10000);
        exec.map(page, 0x1000);
        exec.map(far, 0x10000);
    }

    @AfterAll
    static void stop() {
        exec.close();
    }

    /** Copies a whole function to {@code dest}; branches among its own instructions land in the copy. */
    static long copyFunction(String name, long dest) throws IOException {
        long addr = exec.symbols.get(name);
        byte[] code = exec.peek(addr, sizes.get(name).intValue());
        List<Instruction> insns = new ArrayList<>();
        for (int off = 0; off < code.length; ) {
            Instruction i = Decoder.decode(code, off, code.length, addr + off);
            insns.add(i);
            off += i.length();
        }
        Map<Long, Long> moved = new HashMap<>();
        long at = dest;
        for (Instruction i : insns) { // pass 1: lay out (sizes do not depend on addresses)
            moved.put(i.address(), at);
            at += Relocator.relocate(i, i.address()).length;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Instruction i : insns) {
            out.writeBytes(Relocator.relocate(i, moved.get(i.address()), t -> moved.getOrDefault(t, t)));
        }
        exec.poke(dest, out.toByteArray());
        return dest;
    }

    static long ripRelativeCount(String name) throws IOException {
        long addr = exec.symbols.get(name);
        byte[] code = exec.peek(addr, sizes.get(name).intValue());
        long n = 0;
        for (int off = 0; off < code.length; ) {
            Instruction i = Decoder.decode(code, off, code.length, addr + off);
            n += i.ripRelative() ? 1 : 0;
            off += i.length();
        }
        return n;
    }

    @Test
    void functionReadingAndWritingGlobalsThroughRipRelativeOperandsRunsTheSameWhenCopiedNear() throws Exception {
        assertTrue(ripRelativeCount("x86r_globals") >= 2, "the fixture reads and writes globals RIP-relatively");
        long copy = copyFunction("x86r_globals", near);
        long counter = exec.symbols.get("x86r_counter");
        for (long x = 0; x < 12; x++) {
            exec.poke64(counter, 5);
            long expected = exec.call(exec.symbols.get("x86r_globals"), x);
            long counterAfterOriginal = exec.peek64(counter);
            exec.poke64(counter, 5);
            assertEquals(expected, exec.call(copy, x), "x86r_globals(" + x + ")");
            assertEquals(counterAfterOriginal, exec.peek64(counter), "the copy stored to the same global");
        }
    }

    @Test
    void functionWithLoopsCallsAndRipRelativeTableRunsTheSameWhenCopied() throws Exception {
        long copy = copyFunction("x86r_branchy", near + 0x1000);
        for (long x = 0; x < 20; x++) {
            assertEquals(exec.call(exec.symbols.get("x86r_branchy"), x), exec.call(copy, x), "x86r_branchy(" + x + ")");
        }
    }

    @Test
    void functionWithJumpTableRunsTheSameWhenCopied() throws Exception {
        long copy = copyFunction("x86r_switch", near + 0x2000);
        for (long x = 0; x < 16; x++) {
            assertEquals(exec.call(exec.symbols.get("x86r_switch"), x), exec.call(copy, x), "x86r_switch(" + x + ")");
        }
    }

    @Test
    void functionLoadingFloatingPointConstantsRipRelativeRunsTheSameWhenCopied() throws Exception {
        assertTrue(ripRelativeCount("x86r_float") >= 1);
        long copy = copyFunction("x86r_float", near + 0x3000);
        for (double x : new double[] {0, 1, -2.5, 1e10}) {
            assertEquals(exec.callDouble(exec.symbols.get("x86r_float"), x), exec.callDouble(copy, x));
        }
    }

    @Test
    void ripRelativeOperandOutOfReachIsRefusedButPositionIndependentCodeRunsFar() throws Exception {
        RelocationException e = assertThrows(RelocationException.class, () -> copyFunction("x86r_globals", far));
        assertTrue(e.getMessage().contains("out of ±2 GiB reach"), e.getMessage());
        assertEquals(0, ripRelativeCount("x86r_helper"));
        long copy = copyFunction("x86r_helper", far);
        for (long x = -3; x < 5; x++) {
            assertEquals(exec.call(exec.symbols.get("x86r_helper"), x), exec.call(copy, x));
        }
    }

    // ---- single probed instructions executed out of line: original vs slot, same registers and memory ----

    static final long DATA = 0x800;

    /** Runs {@code bytes} once at page+0x100 and once through its XOL slot; both must agree. */
    static void assertSlotRunsLikeOriginal(String what, byte[] bytes, long slot, long[] regs, long flags)
            throws IOException {
        long a = page + 0x100;
        exec.poke(a, bytes);
        Instruction insn = Decoder.decode(bytes, a);
        byte[] data = "0123456789abcdefXXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII);
        data[8] = 0x40; // make the quadword at DATA+8 small, and the one at DATA a code address below
        exec.poke(page + DATA, data);
        exec.poke64(page + DATA, page + 0x40);
        long sp = exec.stack + exec.stackSize / 2;
        regs[Gpr.RSP.ordinal()] = sp;
        exec.poke(sp - 64, new byte[128]);
        X86Exec.State original = exec.step(a, insn.next(), 1, regs.clone(), flags);
        byte[] dataAfter = exec.peek(page + DATA, 32);
        byte[] stackAfter = exec.peek(sp - 64, 128);

        exec.poke(page + DATA, data);
        exec.poke64(page + DATA, page + 0x40);
        exec.poke(sp - 64, new byte[128]);
        XolPlan.OutOfLine xol = assertInstanceOf(XolPlan.OutOfLine.class, Relocator.plan(insn, slot), what);
        exec.poke(slot, xol.code());
        X86Exec.State moved = exec.step(slot, original.ip(), 4, regs.clone(), flags);
        assertEquals(Long.toHexString(original.ip()), Long.toHexString(moved.ip()), what + ": ip");
        assertArrayEquals(original.gpr(), moved.gpr(), what + ": registers");
        assertEquals(original.flags() & 0xcd5, moved.flags() & 0xcd5, what + ": flags");
        assertArrayEquals(dataAfter, exec.peek(page + DATA, 32), what + ": memory");
        assertArrayEquals(stackAfter, exec.peek(sp - 64, 128), what + ": stack");
    }

    static byte[] withRip(String hexBefore, String hexAfter, int dispAt) {
        byte[] before = X86Exec.HEX.parseHex(hexBefore);
        byte[] after = X86Exec.HEX.parseHex(hexAfter);
        int len = before.length + 4 + after.length;
        long disp = (page + DATA) - (page + 0x100 + len) + dispAt;
        byte[] b = new byte[len];
        System.arraycopy(before, 0, b, 0, before.length);
        for (int i = 0; i < 4; i++) {
            b[before.length + i] = (byte) (disp >> (8 * i));
        }
        System.arraycopy(after, 0, b, before.length + 4, after.length);
        return b;
    }

    static long[] regs() {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) {
            r[i] = 0x1111_0000L * (i + 1) + i;
        }
        r[Gpr.RCX.ordinal()] = 3;
        return r;
    }

    @Test
    void ripRelativeInstructionsRunOutOfLineLikeTheOriginal() throws Exception {
        long slot = near + 0x8000;
        Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put("mov data(%rip),%rax", withRip("488b05", "", 0));
        cases.put("lea data(%rip),%rsi", withRip("488d35", "", 0));
        cases.put("cmpl $7,data+8(%rip) (imm after disp)", withRip("833d", "07", 8));
        cases.put("addq $0x12345,data(%rip)", withRip("488105", "45230100", 0));
        cases.put("mov %eax,data(%rip)", withRip("8905", "", 0));
        cases.put("movl $0x11223344,data+4(%rip)", withRip("c705", "44332211", 4));
        cases.put("testl $0x40,data+8(%rip)", withRip("f705", "40000000", 8));
        cases.put("movzbl data+3(%rip),%eax", withRip("0fb605", "", 3));
        cases.put("push data(%rip)", withRip("ff35", "", 0));
        cases.put("jmp *data(%rip)", withRip("ff25", "", 0));
        cases.put("andn data(%rip),%rax,%rax (VEX)", withRip("c4e2f8f205", "", 0));
        cases.put("mov %r9,data(%rip) (REX.R)", withRip("4c890d", "", 0));
        cases.put("mov (%rsp),%rax", X86Exec.HEX.parseHex("488b0424"));
        cases.put("xor %eax,%eax", X86Exec.HEX.parseHex("31c0"));
        for (var c : cases.entrySet()) {
            assertSlotRunsLikeOriginal(c.getKey(), c.getValue(), slot, regs(), 0);
        }
    }

    @Test
    void farSlotTakesPositionIndependentInstructionsAndRefusesRipRelativeOnes() throws Exception {
        assertSlotRunsLikeOriginal("mov (%rsp),%rax in a far slot", X86Exec.HEX.parseHex("488b0424"), far + 0x100,
                regs(), 0);
        Instruction rip = Decoder.decode(withRip("488b05", "", 0), page + 0x100);
        RelocationException e = assertThrows(RelocationException.class, () -> Relocator.plan(rip, far));
        assertTrue(e.getMessage().contains("RIP-relative operand"), e.getMessage());
    }

    @Test
    void loopAndJrcxzWithoutRel32FormStillRunOutOfLine() throws Exception {
        long slot = near + 0x9000;
        for (long rcx : new long[] {0, 1, 2}) {
            for (long zf : new long[] {0, Condition.ZF}) {
                long[] r = regs();
                r[Gpr.RCX.ordinal()] = rcx | 0x1_0000_0000L * (rcx == 1 ? 1 : 0); // loopl only sees ecx
                String ctx = " rcx=" + rcx + " zf=" + zf;
                assertSlotRunsLikeOriginal("loopl (67 e2)" + ctx, X86Exec.HEX.parseHex("67e210"), slot, r.clone(), zf);
                assertSlotRunsLikeOriginal("jecxz (67 e3)" + ctx, X86Exec.HEX.parseHex("67e3f0"), slot, r.clone(), zf);
            }
        }
    }
}
