package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Width.DWORD;

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

    /** Emits the displaced instructions of {@code site}, relocated, and the jump back. */
    static void emit(Assembler a, JumpSite.Patchable site) {
        emit(new Out() {
            @Override
            public long here() {
                return a.here();
            }

            @Override
            public void bytes(byte[] b) {
                a.bytes(b);
            }

            @Override
            public void pushReturnAddress(long next) {
                Displaced.pushReturnAddress(a, next);
            }

            @Override
            public void jmp(long target) {
                a.jmpNear(target);
            }
        }, site);
    }

    /**
     * Where the displaced instructions go: a trampoline's assembler (its listing says what they are), or
     * bare bytes ({@link #bytes}: a copy of a template needs no more, and a thousand sites' worth of
     * assembling is most of what copying costs).
     */
    private interface Out {
        long here();

        void bytes(byte[] b);

        void pushReturnAddress(long next);

        /** {@code jmp rel32}. */
        void jmp(long target);
    }

    private static void emit(Out a, JumpSite.Patchable site) {
        List<Instruction> run = site.displaced();
        boolean leaves = false;
        for (int i = 0; i < run.size(); i++) {
            Instruction insn = run.get(i);
            switch (insn.controlFlow()) {
                case ControlFlow.Call c -> {
                    a.pushReturnAddress(insn.next());
                    a.jmp(c.target());
                    leaves = true;
                }
                case ControlFlow.IndirectCall c -> {
                    a.pushReturnAddress(insn.next());
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
            a.jmp(site.end());
        }
    }

    /** The displaced instructions of {@code site} relocated to {@code at}, and the jump back: what {@link #emit} emits there. */
    static byte[] bytes(JumpSite.Patchable site, long at) {
        byte[][] out = {new byte[64]};
        int[] n = {0};
        emit(new Out() {
            @Override
            public long here() {
                return at + n[0];
            }

            @Override
            public void bytes(byte[] b) {
                if (n[0] + b.length > out[0].length) {
                    out[0] = java.util.Arrays.copyOf(out[0], 2 * (n[0] + b.length));
                }
                System.arraycopy(b, 0, out[0], n[0], b.length);
                n[0] += b.length;
            }

            @Override
            public void pushReturnAddress(long next) {
                Assembler a = new Assembler(here()); // a call displaced: rare enough to assemble
                Displaced.pushReturnAddress(a, next);
                bytes(a.finish());
            }

            @Override
            public void jmp(long target) {
                bytes(jump(here(), target));
            }
        }, site);
        return java.util.Arrays.copyOf(out[0], n[0]);
    }

    /** The length of {@link #bytes}, wherever they go (relocating never changes a length: {@link Relocator}). */
    static int size(JumpSite.Patchable site) {
        return bytes(site, site.address()).length;
    }

    /**
     * At least the length of {@link #bytes}, from the instructions alone: relocating makes none more than
     * 20 bytes longer (a call becomes a push of its return address and a jump, 25 bytes for 5; a
     * {@code loop} 9 for 2; a short branch its rel32 form), then comes the jump back.
     */
    static int bound(JumpSite.Patchable site) {
        return site.length() + 20 * site.displaced().size() + JumpSitePlanner.JUMP_LENGTH;
    }

    /** {@code jmp rel32} at {@code from} to {@code target}. */
    private static byte[] jump(long from, long target) {
        long rel = target - (from + JumpSitePlanner.JUMP_LENGTH);
        if (rel != (int) rel) {
            throw new AssemblyException(String.format("jmp at 0x%x: 0x%x is out of reach of its rel32 displacement", from,
                    target));
        }
        return new byte[] {(byte) 0xe9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
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
        byte[] b = new byte[site.length()];
        java.util.Arrays.fill(b, (byte) 0xcc);
        System.arraycopy(jump(site.address(), trampoline), 0, b, 0, JumpSitePlanner.JUMP_LENGTH);
        return b;
    }

    static byte[] original(JumpSite.Patchable site) {
        byte[] b = new byte[site.length()];
        int n = 0;
        for (Instruction i : site.displaced()) {
            byte[] bytes = i.bytes();
            System.arraycopy(bytes, 0, b, n, bytes.length);
            n += bytes.length;
        }
        return b;
    }
}
