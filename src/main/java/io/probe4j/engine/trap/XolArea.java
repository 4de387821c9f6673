package io.probe4j.engine.trap;

import java.util.ArrayDeque;

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
 *
 * <p>A slot is taken when a breakpoint that needs one is installed and given back when that breakpoint
 * is removed ({@link #free}); freed slots are reused oldest first, so a slot is rewritten as late as
 * possible after its last use (a thread interrupted by a signal inside a slot returns there when its
 * handler ends). A full area stays full until slots are freed: the process then gets another area.
 */
final class XolArea {
    static final int SIZE = 64 * 1024;
    static final int SLOT_SIZE = 64;
    static final int VARIANT_SIZE = 32;
    /** Slots an area holds: slot 0 is the trampoline's. */
    static final int SLOTS = SIZE / SLOT_SIZE - 1;
    static final byte INT3 = (byte) 0xcc;

    final long start;
    /** The first slot never handed out yet (slot 0 is the trampoline's). */
    private int fresh = 1;
    /** Slot numbers given back, in the order they were freed. */
    private final ArrayDeque<Integer> freed = new ArrayDeque<>();

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

    /** Whether {@link #allocate} would succeed. */
    boolean hasFreeSlot() {
        return !freed.isEmpty() || fresh <= SLOTS;
    }

    /** A slot (the longest-freed one first, else a fresh one), or -1 when the area is full. */
    long allocate() {
        Integer again = freed.poll();
        if (again != null) {
            return start + (long) again * SLOT_SIZE;
        }
        if (fresh > SLOTS) {
            return -1;
        }
        return start + (long) fresh++ * SLOT_SIZE;
    }

    /** Gives {@code slot} (an address {@link #allocate} returned) back for reuse. */
    void free(long slot) {
        long off = slot - start;
        if (off < SLOT_SIZE || off >= SIZE || off % SLOT_SIZE != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(slot) + " is not a slot of the area at 0x"
                    + Long.toHexString(start));
        }
        freed.add((int) (off / SLOT_SIZE));
    }

    /** Slots handed out and not given back. */
    int slotsInUse() {
        return fresh - 1 - freed.size();
    }

    /** The slot that {@code addr} lies in, or -1 for the trampoline slot. */
    long slotOf(long addr) {
        long off = addr - start;
        return off < SLOT_SIZE ? -1 : start + off / SLOT_SIZE * SLOT_SIZE;
    }

    /** The same area in a forked child's copy of the memory: the same slots in use. */
    XolArea copy() {
        XolArea a = new XolArea(start);
        a.fresh = fresh;
        a.freed.addAll(freed);
        return a;
    }
}
