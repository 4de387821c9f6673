package io.probe4j.arch.x86_64;

import java.io.ByteArrayOutputStream;
import java.util.function.LongUnaryOperator;

/**
 * Moves instructions: re-encodes one to run at another address with the same effect, and plans
 * out-of-line execution of a probed instruction (a relocated copy followed by a jump back) or its
 * emulation.
 */
public final class Relocator {
    private Relocator() {
    }

    /**
     * The bytes that do what {@code insn} does when placed at {@code newAddress}. RIP-relative
     * operands and {@code xbegin}'s abort address are re-targeted; relative branches are
     * re-encoded in their rel32 form ({@code loop}/{@code jrcxz}, which have no rel32 form, become
     * {@code loop 1f; jmp 2f; 1: jmp target; 2:}). Everything else is copied.
     *
     * @throws RelocationException if a target is out of ±2 GiB from {@code newAddress}, or for a
     *     16-bit branch (66 prefix) or a REX2-encoded branch
     */
    public static byte[] relocate(Instruction insn, long newAddress) {
        return relocate(insn, newAddress, LongUnaryOperator.identity());
    }

    /**
     * As {@link #relocate(Instruction, long)}, sending relative branches (and {@code xbegin}) to
     * {@code branchTargets.applyAsLong(originalTarget)} instead: for moving a run of instructions
     * whose branches among themselves must land in the copy. The size of the result does not
     * depend on the addresses, so a first pass can lay the copy out.
     */
    public static byte[] relocate(Instruction insn, long newAddress, LongUnaryOperator branchTargets) {
        ControlFlow cf = insn.controlFlow();
        boolean relativeBranch = cf instanceof ControlFlow.Jump || cf instanceof ControlFlow.ConditionalJump
                || cf instanceof ControlFlow.Call || cf instanceof ControlFlow.Loop;
        if (relativeBranch && (insn.hasPrefix(0x66) || insn.encoding() == Encoding.REX2)) {
            throw new RelocationException(insn, "a 16-bit or REX2-encoded relative branch is not relocated");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        switch (cf) {
            case ControlFlow.Jump j -> rel32(out, insn, newAddress, 0xe9, -1, branchTargets.applyAsLong(j.target()));
            case ControlFlow.Call c -> rel32(out, insn, newAddress, 0xe8, -1, branchTargets.applyAsLong(c.target()));
            case ControlFlow.ConditionalJump j -> rel32(out, insn, newAddress, 0x0f, 0x80 | j.condition().code(),
                    branchTargets.applyAsLong(j.target()));
            case ControlFlow.Loop l -> {
                // loop/jrcxz keep their prefixes (67 picks ecx) and hop over a jmp rel32 to the target
                out.write(insn.bytes(), 0, insn.opcodeOffset() + 1);
                out.write(2);
                out.write(0xeb);
                out.write(5);
                long at = newAddress + out.size();
                out.write(0xe9);
                writeInt(out, displacement(insn, branchTargets.applyAsLong(l.target()), at + 5, "the branch target"));
            }
            default -> {
                byte[] b = insn.bytes().clone();
                if (insn.ripRelative()) {
                    long disp = displacement(insn, insn.ripTarget(), newAddress + b.length, "the RIP-relative operand");
                    putInt(b, insn.displacementOffset(), disp);
                } else if (isXbegin(insn) && insn.immediateSize() == 4) {
                    long target = branchTargets.applyAsLong(insn.next() + insn.immediate());
                    putInt(b, insn.immediateOffset(), displacement(insn, target, newAddress + b.length,
                            "the xbegin abort address"));
                } else if (isXbegin(insn)) {
                    throw new RelocationException(insn, "a 16-bit xbegin is not relocated");
                }
                return b;
            }
        }
        return out.toByteArray();
    }

    /**
     * How to execute {@code insn}, displaced by a breakpoint, with a slot at {@code slot}: emulate
     * relative jumps and calls, {@code jcc}, near {@code ret}, {@code push reg}, nops and
     * {@code endbr64}, {@code loop}/{@code jrcxz} and near indirect calls (whose pushed return
     * address must be the original one); run everything else as a relocated copy followed by a
     * jump back to {@code insn.next()}.
     *
     * @throws RelocationException for {@code int3}, 16-bit branches, far indirect calls, or a
     *     RIP-relative target out of reach of the slot
     */
    public static XolPlan plan(Instruction insn, long slot) {
        ControlFlow cf = insn.controlFlow();
        boolean osize = insn.hasPrefix(0x66);
        Emulation e = switch (cf) {
            case ControlFlow.Int3 i -> throw new RelocationException(insn, "it is a breakpoint (int3) already");
            case ControlFlow.Jump j when !osize -> new Emulation.Jump(j.target());
            case ControlFlow.ConditionalJump j when !osize -> new Emulation.ConditionalJump(j.condition(), j.target(),
                    insn.next());
            case ControlFlow.Call c when !osize -> new Emulation.Call(c.target(), insn.next());
            case ControlFlow.Jump j -> throw new RelocationException(insn, "16-bit branch (0x66 prefix)");
            case ControlFlow.ConditionalJump j -> throw new RelocationException(insn, "16-bit branch (0x66 prefix)");
            case ControlFlow.Call c -> throw new RelocationException(insn, "16-bit call (0x66 prefix)");
            case ControlFlow.Return r when !r.far() && !osize -> new Emulation.Return(r.popBytes());
            case ControlFlow.Loop l when !insn.addressSize32() && !osize -> new Emulation.Loop(l.loop(), l.target(),
                    insn.next());
            case ControlFlow.IndirectCall c when c.far() -> throw new RelocationException(insn, "far indirect call");
            case ControlFlow.IndirectCall c -> {
                if (osize || insn.encoding() != Encoding.LEGACY) {
                    throw new RelocationException(insn, "16-bit or REX2-encoded indirect call");
                }
                yield new Emulation.IndirectCall(Operand.rm(insn), insn.next());
            }
            default -> nopOrPush(insn);
        };
        if (e != null) {
            return new XolPlan.Emulate(e);
        }
        byte[] moved = relocate(insn, slot);
        byte[] back = jump(slot + moved.length, insn.next());
        byte[] code = new byte[moved.length + back.length];
        System.arraycopy(moved, 0, code, 0, moved.length);
        System.arraycopy(back, 0, code, moved.length, back.length);
        return new XolPlan.OutOfLine(slot, code, moved.length, insn.next());
    }

    /**
     * A jump from {@code from} to {@code to}: {@code jmp rel32} when in reach, else
     * {@code jmp *0(%rip)} followed by the 8-byte address (14 bytes, reaches anywhere).
     */
    public static byte[] jump(long from, long to) {
        long rel = to - (from + 5);
        if (rel == (int) rel) {
            return new byte[] {(byte) 0xe9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
        }
        byte[] b = new byte[14];
        b[0] = (byte) 0xff;
        b[1] = 0x25;
        for (int i = 0; i < 8; i++) {
            b[6 + i] = (byte) (to >> (8 * i));
        }
        return b;
    }

    private static Emulation nopOrPush(Instruction insn) {
        if (insn.encoding() != Encoding.LEGACY) {
            return null;
        }
        int op = insn.opcode();
        boolean onlyNopPrefixes = true; // 66 and F3 (pause) leave a nop a nop
        for (int i = 0; i < insn.prefixCount(); i++) {
            int p = insn.bytes()[i] & 0xff;
            onlyNopPrefixes &= p == 0x66 || p == 0xf3;
        }
        if (insn.map() == OpcodeMap.ONE_BYTE) {
            if (op == 0x90 && (insn.rex() & 1) == 0 && onlyNopPrefixes) {
                return new Emulation.Nop(insn.next()); // with REX.B it is xchg %r8, %rax
            }
            if (op >= 0x50 && op <= 0x57 && insn.prefixCount() == 0) {
                return new Emulation.Push(Gpr.of((op - 0x50) | (insn.rex() & 1) << 3), insn.next());
            }
        } else if (insn.map() == OpcodeMap.MAP_0F) {
            if (op == 0x1f && insn.reg() == 0 && onlyNopPrefixes && !insn.hasPrefix(0xf3)) {
                return new Emulation.Nop(insn.next());
            }
            if (op == 0x1e && insn.hasPrefix(0xf3) && insn.length() == 4
                    && ((insn.bytes()[3] & 0xff) == 0xfa || (insn.bytes()[3] & 0xff) == 0xfb)) {
                return new Emulation.Nop(insn.next()); // endbr64 / endbr32: only marks a branch target
            }
        }
        return null;
    }

    private static boolean isXbegin(Instruction insn) {
        return insn.encoding() == Encoding.LEGACY && insn.map() == OpcodeMap.ONE_BYTE && insn.opcode() == 0xc7
                && (insn.bytes()[insn.modrmOffset()] & 0xff) == 0xf8;
    }

    private static void rel32(ByteArrayOutputStream out, Instruction insn, long at, int op1, int op2, long target) {
        // keep prefixes other than REX (bnd F2, notrack 3E, segment hints) so the copy means the same
        for (int i = 0; i < insn.prefixCount(); i++) {
            out.write(insn.bytes()[i]);
        }
        out.write(op1);
        if (op2 >= 0) {
            out.write(op2);
        }
        writeInt(out, displacement(insn, target, at + out.size() + 4, "the branch target"));
    }

    private static long displacement(Instruction insn, long target, long nextAt, String what) {
        long d = target - nextAt;
        if (d != (int) d) {
            throw new RelocationException(insn, String.format("%s 0x%x is out of ±2 GiB reach from 0x%x",
                    what, target, nextAt));
        }
        return d;
    }

    private static void writeInt(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >> (8 * i)));
        }
    }

    private static void putInt(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >> (8 * i));
        }
    }
}
