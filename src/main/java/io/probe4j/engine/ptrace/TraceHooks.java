package io.probe4j.engine.ptrace;

/**
 * Where the breakpoint layer plugs into process control. Every method runs on the session's
 * tracer thread with the named threads in a ptrace-stop; they may read and write registers and
 * memory through the views they get, which are valid only during the call. An exception thrown
 * here ends the session: every process is detached and {@link TraceSession#waitFor()} rethrows it.
 */
public interface TraceHooks {
    /**
     * A thread is about to receive {@code SIGTRAP}. Return {@link TrapAction#DELIVER} for traps
     * that are not ours (a program that raises {@code SIGTRAP} itself must get it).
     */
    default TrapAction onTrap(StoppedThread thread, Trap trap) {
        return TrapAction.DELIVER;
    }

    /**
     * A thread is about to receive {@code sig}, not {@code SIGTRAP} (a fault, say). Return true when the
     * signal is the hook's own doing and handled (the thread resumes, at the ip the hook may have set,
     * without the signal); false to deliver it, as without tracing.
     */
    default boolean onSignal(StoppedThread thread, int sig) {
        return false;
    }

    /**
     * A process came under tracing, with all its threads stopped. For {@link Origin#FORKED} and
     * {@link Origin#VFORKED} {@code parentPid} is the parent (whose forking thread is also stopped),
     * otherwise 0.
     */
    default void onNewProcess(StoppedProcess process, Origin origin, int parentPid) {
    }

    /**
     * The thread of a traced process that made a vfork child is woken ({@code PTRACE_EVENT_VFORK_DONE}):
     * the child exec'ed or ended and the two no longer share memory; the thread has run no code since
     * the vfork.
     */
    default void onVforkDone(StoppedThread parent) {
    }

    /** The session is about to let go of {@code process} (all its threads stopped): remove what was put in. */
    default void beforeDetach(StoppedProcess process) {
    }

    /**
     * Whether the session stops each thread as it is about to exit ({@code PTRACE_O_TRACEEXIT}) to call
     * {@link #onThreadExiting}: one more stop per thread, so only for hooks that need it.
     */
    default boolean wantsExitStops() {
        return false;
    }

    /** A thread is about to exit (its {@code /proc} entries still there), if {@link #wantsExitStops()}. */
    default void onThreadExiting(StoppedThread thread) {
    }

    /** Thread {@code tid} of process {@code pid} ended; the process goes on (its thread id may come back). */
    default void onThreadExit(int pid, int tid) {
    }

    /** Process {@code pid} ended (its last thread is gone). */
    default void onProcessExit(int pid) {
    }

    TraceHooks NONE = new TraceHooks() {
    };
}
