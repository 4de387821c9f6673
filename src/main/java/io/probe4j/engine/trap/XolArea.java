package io.probe4j.engine.trap;

/**
 * An anonymous {@code r-x} mapping that probe4j puts into a traced process near the code it probes
 * (within ±2 GiB, so relocated RIP-relative operands and {@code jmp rel32} reach), holding the
 * return-probe trampoline and the out-of-line slots. It is never part of a file mapping, so the
 * trampoline address can never be mistaken for code of the program.
 *
 * <p>Layout: the trampoline ({@code int3}) at offset 0, then {@value #SLOT_SIZE}-byte slots. Each slot
 * holds two copies of the displaced instruction: at +0 followed by a jump back (pre handlers only),
 * at +{@value #VARIANT_SIZE} followed by an {@code int3} and the jump back (for post handlers, which
 * then cost a second stop).
 */
final class XolArea {
    static final int SIZE = 64 * 1024;
    static final int SLOT_SIZE = 64;
    static final int VARIANT_SIZE = 32;
    static final byte INT3 = (byte) 0xcc;

    final long start;
    private int next = SLOT_SIZE; // slot 0 is the trampoline's

    XolArea(long start) {
        this.start = start;
    }

    /** The return-probe trampoline: an {@code int3} outside every file mapping. */
    long trampoline() {
        return start;
    }

    boolean contains(long addr) {
        return addr >= start && addr < start + SIZE;
    }

    /** Whether rel32 jumps from anywhere in the area reach {@code addr} and back. */
    boolean reaches(long addr) {
        return Math.abs(addr - start) < (1L << 31) - SIZE && Math.abs(addr - (start + SIZE)) < (1L << 31) - SIZE;
    }

    /** A fresh slot, or -1 when the area is full. */
    long allocate() {
        if (next + SLOT_SIZE > SIZE) {
            return -1;
        }
        long slot = start + next;
        next += SLOT_SIZE;
        return slot;
    }

    /** The slot that {@code addr} lies in, or -1 for the trampoline slot. */
    long slotOf(long addr) {
        long off = addr - start;
        return off < SLOT_SIZE ? -1 : start + off / SLOT_SIZE * SLOT_SIZE;
    }

    XolArea copy() {
        XolArea a = new XolArea(start);
        a.next = next;
        return a;
    }
}
