package io.probe4j.engine.inline;

/**
 * Where patches are written down before they are made, so that the guardian puts the original bytes
 * back if this JVM is killed (the trap engine's {@code BreakpointJournal}). The patches of one install
 * are written down together, in one write: a thousand sites cost one system call, not a thousand.
 */
@FunctionalInterface
public interface PatchJournal {
    /** Before {@code patches[i]} replaces {@code originals[i]} at {@code addresses[i]} in process {@code pid}, for every i. */
    void patching(int pid, long[] addresses, byte[][] originals, byte[][] patches);

    /** One patch. */
    default void patching(int pid, long address, byte[] original, byte[] patch) {
        patching(pid, new long[] {address}, new byte[][] {original}, new byte[][] {patch});
    }

    PatchJournal NONE = (pid, addresses, originals, patches) -> { };
}
