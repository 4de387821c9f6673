package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Width.DWORD;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The instructions a jump displaces, run at the end of a trampoline: relocated copies ({@link Relocator}),
 * then a jump back to the first instruction after them. A call displaced last is emulated so that it
 * pushes its original return address (the callee returns to the program, never into the trampoline,
 * and unwinders see the frames they expect).
 */
final class Displaced {
    private Displaced() {
    }

    static void emit(Assembler a, JumpSite.Patchable site) {
        List<Instruction> run = site.displaced();
        boolean leaves = false;
        for (int i = 0; i < run.size(); i++) {
            Instruction insn = run.get(i);
            switch (insn.controlFlow()) {
                case ControlFlow.Call c -> {
                    pushReturnAddress(a, insn.next());
                    a.jmpNear(c.target());
                    leaves = true;
                }
                case ControlFlow.IndirectCall c -> {
                    pushReturnAddress(a, insn.next());
                    a.bytes(Relocator.relocate(asJump(insn), a.here()));
                    leaves = true;
                }
                default -> {
                    a.bytes(Relocator.relocate(insn, a.here()));
                    ControlFlow cf = insn.controlFlow();
                    leaves = cf instanceof ControlFlow.Jump || cf instanceof ControlFlow.Return
                            || cf instanceof ControlFlow.IndirectJump;
                }
            }
        }
        if (!leaves) {
            a.jmpNear(site.end());
        }
    }

    /** The displaced instructions of {@code site} relocated to {@code at}, and the jump back: what {@link #emit} emits there. */
    static byte[] bytes(JumpSite.Patchable site, long at) {
        Assembler a = new Assembler(at);
        emit(a, site);
        return a.finish();
    }

    /** The length of {@link #bytes}, wherever they go (relocating never changes a length: {@link Relocator}). */
    static int size(JumpSite.Patchable site) {
        return bytes(site, site.address()).length;
    }

    /** {@code push $next} for a 64-bit address, without a register and without touching the flags. */
    private static void pushReturnAddress(Assembler a, long next) {
        a.lea(Gpr.RSP, Mem.of(Gpr.RSP, -8));
        a.mov(DWORD, Mem.of(Gpr.RSP), next & 0xffffffffL);
        a.mov(DWORD, Mem.of(Gpr.RSP, 4), next >>> 32);
    }

    /** {@code call *X} as {@code jmp *X} (ModRM /2 to /4), decoded at the original address so RIP targets stay. */
    private static Instruction asJump(Instruction call) {
        byte[] b = call.bytes().clone();
        int m = call.modrmOffset();
        b[m] = (byte) (b[m] & ~0x38 | 4 << 3);
        return Decoder.decode(b, call.address());
    }

    /** {@code jmp rel32} from the site to the trampoline, then {@code int3} over the rest of the displaced bytes. */
    static byte[] patch(JumpSite.Patchable site, long trampoline) {
        Assembler a = new Assembler(site.address());
        a.jmpNear(trampoline);
        for (int i = JumpSitePlanner.JUMP_LENGTH; i < site.length(); i++) {
            a.int3();
        }
        return a.finish();
    }

    static byte[] original(JumpSite.Patchable site) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Instruction i : site.displaced()) {
            out.writeBytes(i.bytes());
        }
        return out.toByteArray();
    }
}
