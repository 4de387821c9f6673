package io.probe4j.engine.ptrace;

import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.RemoteSyscall;
import java.util.LinkedHashMap;
import java.util.Map;

/** One traced process (thread group) and its threads. */
final class TracedProcess {
    final int pid;
    final Map<Integer, Tracee> threads = new LinkedHashMap<>();
    final ProcessMemory memory;
    final RemoteSyscall syscalls;
    /** The process the session launched or attached to, whose end is the session's result. */
    final boolean root;
    /** Launched and not yet past the {@code exec} of the program (the stopping shell still runs). */
    boolean launching;
    /** While > 0, every thread is kept stopped: resumes are recorded in {@link Tracee#pending}. */
    int holds;
    /** A hook asked to detach from this process once it returns ({@link StoppedProcess#letGo}). */
    boolean letGo;

    TracedProcess(int pid, boolean root) {
        this.pid = pid;
        this.root = root;
        this.memory = new ProcessMemory(pid);
        this.syscalls = new RemoteSyscall(pid, memory);
    }

    /** Every thread is in a ptrace-stop. */
    boolean allStopped() {
        for (Tracee t : threads.values()) {
            if (t.state != Tracee.State.STOPPED) {
                return false;
            }
        }
        return true;
    }

    /**
     * No thread can run a user instruction without our knowing: each is stopped or waits in the
     * kernel for its vfork child (and will report VFORK_DONE first). Waiting for such a thread to
     * stop could wait forever: on a child we hold.
     */
    boolean quiescent() {
        for (Tracee t : threads.values()) {
            if (t.state != Tracee.State.STOPPED && !t.inVforkWait) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "process " + pid + " " + threads.values();
    }
}
