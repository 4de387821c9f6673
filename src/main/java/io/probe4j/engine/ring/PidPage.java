package io.probe4j.engine.ring;

/**
 * The read-only page next to each trampoline area that tells the trampolines which process they run
 * in: its id, and the vfork children running now. A vfork child runs in its parent's memory on its
 * parent's thread control block (so with the parent's tid in it) until it execs or exits, while the
 * parent's thread waits in the kernel and runs no code: so code that runs with that control block
 * ({@code %fs:0}) is the child, and the trampolines record the child's id instead. Other threads of
 * the parent go on with their own.
 *
 * <p>Entries are (control block, child id); a free entry's control block is 0. {@link #IN_USE} bounds
 * the entries a trampoline looks at (0, the fast path: no vfork child). The tracer writes an entry's id
 * before its control block, and empties an entry when the parent's thread is woken
 * ({@code PTRACE_EVENT_VFORK_DONE}), before that thread runs again.
 */
public final class PidPage {
    /** The process id (4 bytes), the number of entries in use (4 bytes), the entries. */
    public static final int PID = 0, IN_USE = 4, ENTRIES = 8;
    /** Entry fields: the thread control block (8 bytes), the child's id (4 bytes). */
    public static final int ENTRY_SIZE = 16, CONTROL_BLOCK = 0, CHILD = 8;
    /** vfork children at once per process (each needs a thread of the parent waiting for it). */
    public static final int SLOTS = 64;

    private PidPage() {
    }
}
