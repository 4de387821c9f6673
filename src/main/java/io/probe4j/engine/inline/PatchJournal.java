package io.probe4j.engine.inline;

/**
 * Where a patch is written down before it is made, so that the guardian puts the original bytes back
 * if this JVM is killed (the trap engine's {@code BreakpointJournal}).
 */
@FunctionalInterface
public interface PatchJournal {
    void patching(int pid, long address, byte[] original, byte[] patch);

    PatchJournal NONE = (pid, address, original, patch) -> { };
}
