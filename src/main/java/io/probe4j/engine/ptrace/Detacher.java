package io.probe4j.engine.ptrace;

import io.probe4j.sys.Errno;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.SysException;
import java.util.List;

/**
 * Letting go of every traced process, whatever ends the session: stop all threads, let the hooks
 * remove what they put in, then {@code PTRACE_DETACH} each thread with the signal it was about to
 * receive (a group-stopped process stays stopped, as the kernel keeps it). Tracer thread only.
 */
final class Detacher {
    private Detacher() {
    }

    /** Stops everything, lets the hooks clean up, and detaches from every thread. */
    static void detachAll(TracerLoop loop) {
        boolean again = true;
        while (again) { // holding may meet forks: new loop.processes to hold too
            again = false;
            for (TracedProcess p : List.copyOf(loop.processes.values())) {
                if (p.holds == 0 && loop.processes.get(p.pid) == p) {
                    loop.hold(p);
                    again = true;
                }
            }
        }
        RuntimeException failure = null;
        while (!loop.processes.isEmpty()) {
            boolean progress = false;
            for (TracedProcess p : List.copyOf(loop.processes.values())) {
                if (loop.processes.get(p.pid) == p && p.allStopped()) {
                    RuntimeException e = detachStopped(loop, p);
                    failure = failure == null ? e : failure;
                    progress = true;
                }
            }
            if (!progress) {
                // left: vfork parents whose children are now detached; they report VFORK_DONE soon
                loop.dispatch(loop.nextStatus(false));
            }
        }
        if (loop.rootEnd == null) {
            loop.rootEnd = new SessionEnd.Detached();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Detaches one process whose threads are all stopped (the others stay traced). */
    static void detach(TracerLoop loop, TracedProcess p) {
        RuntimeException failure = detachStopped(loop, p);
        if (failure != null) {
            throw failure;
        }
    }

    /** Detaches every (stopped) thread of {@code p}, after the hooks cleaned up; returns what failed. */
    private static RuntimeException detachStopped(TracerLoop loop, TracedProcess p) {
        RuntimeException failure = null;
        try {
            loop.hooks.beforeDetach(new StoppedProcess(p, loop));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Tracee t : p.threads.values()) {
            int sig = t.pending != null && t.pending.kind() == Tracee.Resume.Kind.CONT ? t.pending.sig() : 0;
            try {
                Ptrace.detach(t.tid, sig);
            } catch (SysException e) {
                if (e.errno() != Errno.ESRCH && failure == null) {
                    failure = e;
                }
            }
            loop.tracees.remove(t.tid);
        }
        p.memory.close();
        loop.processes.remove(p.pid);
        return failure;
    }
}
