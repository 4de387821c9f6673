package io.probe4j.engine.ptrace;

import io.probe4j.sys.Ptrace;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.UserRegs;

/**
 * A traced thread in a ptrace-stop, handed to {@link TraceHooks}. Usable only on the tracer thread
 * while the thread is still stopped (during the hook, or inside {@link TraceSession#withStopped}).
 */
public final class StoppedThread {
    private final Tracee tracee;
    private final TracerLoop loop;

    StoppedThread(Tracee tracee, TracerLoop loop) {
        this.tracee = tracee;
        this.loop = loop;
    }

    public int tid() {
        return tracee.tid;
    }

    /** The thread group (process) id. */
    public int pid() {
        return tracee.process.pid;
    }

    /** A copy of the registers ({@code PTRACE_GETREGS} once per stop). */
    public UserRegs regs() {
        check();
        if (tracee.regs == null) {
            tracee.regs = Ptrace.getRegs(tracee.tid);
        }
        return tracee.regs.copy();
    }

    /** Sets the registers the thread resumes with ({@code PTRACE_SETREGS}). */
    public void setRegs(UserRegs regs) {
        check();
        Ptrace.setRegs(tracee.tid, regs);
        tracee.regs = regs.copy();
    }

    /**
     * Runs {@code work} on the tracer thread right after this thread resumes (before the next stop is
     * handled): for what does not need the thread stopped. A stopped thread's CPU goes idle, and
     * waking an idle virtual CPU costs more the longer it idled.
     */
    public void afterResume(Runnable work) {
        check();
        loop.afterResume.add(work);
    }

    /**
     * Single-steps the thread while its instruction pointer satisfies {@code inside}, at most
     * {@code maxSteps} times (to move it out of code about to be taken away); signals that arrive
     * meanwhile are sent again afterwards, as the program would have got them. Returns whether the
     * thread left; false also when it ended.
     */
    public boolean stepWhile(java.util.function.LongPredicate inside, int maxSteps) {
        check();
        java.util.List<Integer> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < maxSteps; i++) {
                if (!inside.test(regs().ip())) {
                    return true;
                }
                io.probe4j.sys.Ptrace.singleStep(tracee.tid, 0);
                tracee.regs = null;
                io.probe4j.sys.WaitStatus ws = io.probe4j.sys.Wait.waitpid(tracee.tid);
                if (ws.dead()) {
                    return false;
                }
                if (ws.event() == 0 && ws.stopSig() != io.probe4j.sys.Signals.SIGTRAP) {
                    held.add(ws.stopSig());
                }
            }
            return !inside.test(regs().ip());
        } finally {
            for (int sig : held) {
                io.probe4j.sys.Signals.tgkill(tracee.process.pid, tracee.tid, sig);
            }
        }
    }

    /**
     * Runs {@code body} with every thread of this thread's process stopped, this one still in its stop
     * (for changes that no running thread may see half made, e.g. code patched at a library load);
     * the others resume as they were once it returns. Stops of other threads that come meanwhile are
     * handled as usual, hooks included.
     */
    public <T> T withProcessStopped(java.util.function.Function<StoppedProcess, T> body) {
        check();
        return loop.withStopped(tracee.process.pid, body);
    }

    /** The memory of the thread's process. */
    public ProcessMemory memory() {
        check();
        return tracee.process.memory;
    }

    private void check() {
        loop.checkOnTracerThread();
        if (tracee.state != Tracee.State.STOPPED) {
            throw new IllegalStateException(tracee + " is not stopped");
        }
    }

    @Override
    public String toString() {
        return tracee.toString();
    }
}
