package io.probe4j.engine.ptrace;

import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import java.util.ArrayList;
import java.util.List;

/**
 * A traced process with every thread in a ptrace-stop, handed to {@link TraceHooks} and
 * {@link TraceSession#withStopped}. Valid on the tracer thread for the duration of that call.
 */
public final class StoppedProcess {
    private final TracedProcess process;
    private final TracerLoop loop;

    StoppedProcess(TracedProcess process, TracerLoop loop) {
        this.process = process;
        this.loop = loop;
    }

    public int pid() {
        return process.pid;
    }

    /**
     * Asks the session to stop tracing this process, from {@link TraceHooks#onNewProcess}: once the
     * hook has returned, {@link TraceHooks#beforeDetach} cleans up and every thread is detached; the
     * process runs on untraced, and its children are never traced.
     */
    public void letGo() {
        if (process.root) {
            throw new IllegalStateException("the session's own process ends the session; it is not let go");
        }
        process.letGo = true;
    }

    /**
     * The threads of the process, stopped. Left out: a thread waiting in the kernel for its vfork
     * child, which cannot stop until the child execs or exits (it runs no user code meanwhile).
     */
    public List<StoppedThread> threads() {
        loop.checkOnTracerThread();
        List<StoppedThread> out = new ArrayList<>();
        for (Tracee t : process.threads.values()) {
            if (t.state == Tracee.State.STOPPED) {
                out.add(new StoppedThread(t, loop));
            }
        }
        return out;
    }

    public ProcessMemory memory() {
        loop.checkOnTracerThread();
        return process.memory;
    }

    /** The current {@code /proc/PID/maps}. */
    public List<Mapping> maps() {
        return Procfs.maps(process.pid);
    }

    /**
     * Maps {@code len} bytes of anonymous {@code r-x} memory within ±2 GiB of {@code near}, shown
     * as {@code [anon:NAME]} in the maps (for XOL slots); write it with {@link ProcessMemory#writeForced}.
     */
    public long mmapNear(long near, long len, String name) {
        return process.syscalls.mmapNear(injectionThread(), near, len, name);
    }

    /** Unmaps what {@link #mmapNear} mapped. */
    public void munmap(long addr, long len) {
        process.syscalls.munmap(injectionThread(), addr, len);
    }

    /**
     * Runs system call {@code nr} in the process (in one of its stopped threads, whose registers are
     * put back afterwards); {@code name} and {@code doing} name it in the error when it fails.
     */
    public long syscall(String name, String doing, int nr, long... args) {
        return process.syscalls.invoke(injectionThread(), name, doing, nr, args);
    }

    /** A thread that can run an injected system call: stopped by an event or an interrupt, not in a group-stop. */
    private int injectionThread() {
        loop.checkOnTracerThread();
        Tracee best = null;
        for (Tracee t : process.threads.values()) {
            if (t.state != Tracee.State.STOPPED || t.pending == null || t.pending.kind() == Tracee.Resume.Kind.LISTEN
                    || t.lastEvent == io.probe4j.sys.Ptrace.EVENT_VFORK) { // settling it would wait for the child
                continue;
            }
            // best: no signal to deliver and not inside a system call
            if (best == null || rank(t) < rank(best)) {
                best = t;
            }
        }
        if (best == null) {
            throw new IllegalStateException("every thread of process " + process.pid
                    + " is in a group-stop: cannot run a system call in it now");
        }
        loop.settle(best);
        best.regs = null;
        return best.tid;
    }

    private static int rank(Tracee t) {
        return (t.pending.sig() != 0 ? 2 : 0) + (t.inSyscallStop ? 1 : 0);
    }
}
