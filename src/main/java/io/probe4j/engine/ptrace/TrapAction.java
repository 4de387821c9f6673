package io.probe4j.engine.ptrace;

/** What {@link TraceHooks#onTrap} decided about a {@code SIGTRAP}. */
public enum TrapAction {
    /** Not ours: deliver the {@code SIGTRAP} to the program, as without tracing. */
    DELIVER,
    /** Ours, handled: resume the thread (at the ip the hook may have set) without a signal. */
    RESUME,
    /** Ours: resume for one instruction; the step's end comes back as another trap. */
    STEP
}
