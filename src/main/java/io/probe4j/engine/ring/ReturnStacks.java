package io.probe4j.engine.ring;

/**
 * The per-thread return stacks of return probes, in the traced process's own private memory (a fork
 * child gets a copy, as it gets a copy of the stacks whose return addresses were replaced): a table
 * of {@link #SLOTS} slots found by hashing the thread pointer ({@code %fs:0}, glibc's TCB address,
 * which a fork child's thread keeps), claimed with {@code lock cmpxchg} by a thread's first probed
 * call. A slot is its key, the depth, and {@link #MAX_DEPTH} entries of (original return address,
 * stack pointer at the entry). The depth cap is the kernel's (MAX_URETPROBE_DEPTH): a call made at
 * depth 64 is not hijacked, so the 64 outermost returns are reported.
 *
 * <p>The tracer empties a thread's slot when the thread exits (ptrace's exit event) so that a new
 * thread whose TCB lands at the same address starts clean, and reads the slots to put every return
 * address back at detach. A slot freed so holds {@link #FREED}, not 0: a free slot ends a search, and
 * that would cut off the slots further on of threads that run meanwhile. A thread's first probed call
 * claims the first free or freed slot from its home.
 */
public final class ReturnStacks {
    public static final int SLOTS = 1024;
    public static final int SLOT_SIZE = 2048;
    public static final int MAX_DEPTH = 64;
    /** Slot fields: the key (thread pointer, 0 when free), the depth, then the entries. */
    public static final int KEY = 0, DEPTH = 8, ENTRIES = 16;
    /** The key of a slot whose thread ended: no thread pointer, passed over by searches, claimed again. */
    public static final long FREED = 1;
    /** Entry fields. */
    public static final int ENTRY_SIZE = 16, RETURN_ADDRESS = 0, STACK_POINTER = 8;

    private ReturnStacks() {
    }

    /** The slot where the search for {@code key} starts: TCBs are page-aligned-ish, their page numbers differ. */
    public static int home(long key) {
        return (int) (key >>> 12) & (SLOTS - 1);
    }

    /** Bytes of the table. */
    public static long size() {
        return (long) SLOTS * SLOT_SIZE;
    }
}
