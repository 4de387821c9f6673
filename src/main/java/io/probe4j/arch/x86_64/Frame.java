package io.probe4j.arch.x86_64;

import java.util.List;

/**
 * Where the probed program's registers are while a trampoline runs: the trampoline first steps over
 * the red zone (the 128 bytes below {@code %rsp} a leaf function may use without moving it) or
 * another gap, then pushes the flags (when kept) and the registers it will use. A register not pushed is never written,
 * so its live value is the program's. Scratch space allocated below the pushes moves every slot.
 */
final class Frame {
    static final int RED_ZONE = 128;
    private final List<Gpr> pushed;
    private final boolean flags;
    private final int gap;
    private int below;

    /**
     * @param gap bytes stepped over below the program's stack pointer before the pushes: the red zone
     *            at a probe, or room for words of the trampoline's own at a return
     */
    Frame(List<Gpr> pushed, boolean flags, int gap) {
        this.pushed = List.copyOf(pushed);
        this.flags = flags;
        this.gap = gap;
    }

    int gap() {
        return gap;
    }

    /** The registers in push order. */
    List<Gpr> pushed() {
        return pushed;
    }

    boolean keepsFlags() {
        return flags;
    }

    boolean saved(Gpr r) {
        return pushed.contains(r);
    }

    /** Where the program's value of {@code r} is (only for a saved register). */
    Mem slot(Gpr r) {
        int i = pushed.indexOf(r);
        if (i < 0) {
            throw new IllegalArgumentException(r + " is not saved");
        }
        return Mem.of(Gpr.RSP, below + 8 * (pushed.size() - 1 - i));
    }

    /** Where the program's RFLAGS are (only when kept). */
    Mem flagsSlot() {
        if (!flags) {
            throw new IllegalStateException("the flags are not kept");
        }
        return Mem.of(Gpr.RSP, below + 8 * pushed.size());
    }

    /** The distance from {@code %rsp} to the program's stack pointer. */
    int programSp() {
        return below + 8 * pushed.size() + (flags ? 8 : 0) + gap;
    }

    /** {@code bytes} of scratch space were taken below the pushes ({@code lea -bytes(%rsp),%rsp}). */
    void allocate(int bytes) {
        below += bytes;
    }

    /** The scratch space was given back. */
    void release(int bytes) {
        below -= bytes;
    }

    /** A word of the scratch space. */
    static Mem scratch(int offset) {
        return Mem.of(Gpr.RSP, offset);
    }
}
