package io.probe4j.engine.trap;

import io.probe4j.arch.x86_64.Emulation;
import io.probe4j.arch.x86_64.Instruction;

/**
 * An {@code int3} that probe4j wrote into one process: the byte it replaced, the decoded instruction,
 * and how that instruction is carried out at a hit (an {@link Emulation}, or the out-of-line copies in
 * {@code slot}). {@code point} is the user's probe point there (null while only a {@link RuntimeHook} is);
 * {@code hook} marks a place in the C runtime the engine itself watches (library loads, exceptions).
 */
final class Breakpoint {
    final long addr;
    final byte original;
    final Instruction insn;
    final Emulation emulation;
    /** The slot of the out-of-line copies (0 when emulated). */
    final long slot;
    /** Bytes of the relocated instruction in the slot's second copy, followed by the post {@code int3}. */
    final int movedB;
    /** The inode of the file mapped here, to notice when the code was unmapped and replaced. */
    final long inode;
    ProbePoint point;
    RuntimeHook hook;

    Breakpoint(long addr, byte original, Instruction insn, Emulation emulation, long slot, int movedB, long inode) {
        this.addr = addr;
        this.original = original;
        this.insn = insn;
        this.emulation = emulation;
        this.slot = slot;
        this.movedB = movedB;
        this.inode = inode;
    }

    /** The same breakpoint in a forked child's copy of the memory. */
    Breakpoint copy() {
        Breakpoint b = new Breakpoint(addr, original, insn, emulation, slot, movedB, inode);
        b.point = point;
        b.hook = hook;
        return b;
    }

    /** Where a copy with post handlers stops for them: the {@code int3} after the second copy. */
    long postTrap() {
        return slot + XolArea.VARIANT_SIZE + movedB;
    }

    @Override
    public String toString() {
        return "breakpoint at 0x" + Long.toHexString(addr) + " (" + insn + ")";
    }
}
