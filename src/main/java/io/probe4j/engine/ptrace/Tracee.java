package io.probe4j.engine.ptrace;

import io.probe4j.sys.UserRegs;

/** One traced thread, as the tracer thread sees it. */
final class Tracee {
    enum State {
        /** Running (or at least resumed by us: a stop may already be waiting to be reported). */
        RUNNING,
        /** In a group-stop, resumed with {@code PTRACE_LISTEN}: stopped, but registers are off limits. */
        LISTENING,
        /** In a ptrace-stop; {@link #pending} says how to resume it. */
        STOPPED
    }

    /** How a stopped thread goes on: the request and the signal it delivers. */
    record Resume(Kind kind, int sig) {
        enum Kind { CONT, STEP, LISTEN }

        static final Resume CONT0 = new Resume(Kind.CONT, 0);
        static final Resume STEP0 = new Resume(Kind.STEP, 0);
        static final Resume LISTEN = new Resume(Kind.LISTEN, 0);

        static Resume cont(int sig) {
            return sig == 0 ? CONT0 : new Resume(Kind.CONT, sig);
        }
    }

    final int tid;
    final TracedProcess process;
    State state = State.RUNNING;
    Resume pending;
    /**
     * Stopped by a fork/clone/exec event, i.e. inside that system call: the kernel still has to
     * write its return value into {@code ax}, so an injected system call must wait (see
     * {@link TracerLoop#settle}).
     */
    boolean inSyscallStop;
    /** The ptrace event of the last stop (0: a signal-delivery-stop). */
    int lastEvent;
    /**
     * Resumed from a vfork event: the thread sleeps in the kernel (killable only, deaf to
     * {@code PTRACE_INTERRUPT}) until the child execs or exits, and reports
     * {@code PTRACE_EVENT_VFORK_DONE} before it runs a user instruction again.
     */
    boolean inVforkWait;
    /** This stop's registers, read on first use and dropped at resume. */
    UserRegs regs;

    Tracee(int tid, TracedProcess process) {
        this.tid = tid;
        this.process = process;
    }

    @Override
    public String toString() {
        return "thread " + tid + " of " + process.pid + " " + state + (pending != null ? " " + pending : "");
    }
}
