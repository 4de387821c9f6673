package io.probe4j.engine.ptrace;

/**
 * The process is not (or no longer) traced by the session: it ended, exec'ed away from a vfork, or was
 * let go. A caller iterating over the session's processes expects this and carries on with the others.
 */
public final class ProcessGoneException extends IllegalStateException {
    public ProcessGoneException(int pid) {
        super("process " + pid + " is not traced");
    }
}
