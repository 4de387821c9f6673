package io.probe4j.engine.ptrace;

import io.probe4j.sys.Errno;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Signals;
import io.probe4j.sys.SysException;
import io.probe4j.sys.UserRegs;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The session's tracer thread: the only thread that makes ptrace requests for its tracees (the
 * kernel accepts them only from the thread that attached). It waits for tracee stops, keeps the
 * table of traced threads and processes, relays signals as if nobody traced, calls the
 * {@link TraceHooks}, and runs tasks that other threads queue through {@link TaskQueue}.
 */
final class TracerLoop implements Runnable {
    static final Set<Ptrace.Option> OPTIONS = EnumSet.of(Ptrace.Option.TRACECLONE, Ptrace.Option.TRACEFORK,
            Ptrace.Option.TRACEVFORK, Ptrace.Option.TRACEVFORKDONE, Ptrace.Option.TRACEEXEC);

    final TraceHooks hooks;

    /** The ptrace options of this session's tracees: exit stops only for hooks that want them. */
    Set<Ptrace.Option> options() {
        if (!hooks.wantsExitStops()) {
            return OPTIONS;
        }
        Set<Ptrace.Option> o = EnumSet.copyOf(OPTIONS);
        o.add(Ptrace.Option.TRACEEXIT);
        return o;
    }
    private final Runnable start;
    final TaskQueue tasks = new TaskQueue(this);
    final Map<Integer, Tracee> tracees = new HashMap<>();
    final Map<Integer, TracedProcess> processes = new LinkedHashMap<>();
    /** Stops of threads not yet known: a new child may report before its parent's fork event. */
    private final Map<Integer, WaitStatus> earlyStops = new HashMap<>();
    /** Work the hooks left for after the stopped thread resumed ({@link StoppedThread#afterResume}). */
    final ArrayDeque<Runnable> afterResume = new ArrayDeque<>();
    private final StopWait stopWait = new StopWait();
    /** Completes with the root pid once the program exec'ed (launch) or all threads were seized (attach). */
    final CompletableFuture<Integer> ready = new CompletableFuture<>();
    final CompletableFuture<SessionEnd> end = new CompletableFuture<>();
    private volatile Thread thread;
    volatile Doorbell doorbell;
    SessionEnd rootEnd;
    /** The launched root, our own child: reaped by us even after a detach. */
    int spawnedChild = -1;
    boolean rootReaped;

    private TracerLoop(TraceHooks hooks, java.util.function.Consumer<TracerLoop> start) {
        this.hooks = hooks;
        this.start = () -> start.accept(this);
    }

    static TracerLoop launching(LaunchSpec spec, TraceHooks hooks) {
        return new TracerLoop(hooks, loop -> Starts.launch(loop, spec));
    }

    static TracerLoop attaching(int pid, TraceHooks hooks) {
        return new TracerLoop(hooks, loop -> Starts.attach(loop, pid));
    }

    void startThread() {
        Thread t = Thread.ofPlatform().name("probe4j-tracer").daemon(true).unstarted(this);
        thread = t;
        t.start();
    }

    boolean onTracerThread() {
        return Thread.currentThread() == thread;
    }

    void checkOnTracerThread() {
        if (!onTracerThread()) {
            throw new IllegalStateException("ptrace requests must come from the session's tracer thread, not "
                    + Thread.currentThread().getName());
        }
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            doorbell = Doorbell.start();
            start.run();
            while (!processes.isEmpty()) {
                tasks.runAll();
                runAfterResume();
                if (processes.isEmpty()) {
                    break;
                }
                WaitStatus ws = nextStatus(true);
                if (ws != null) {
                    dispatch(ws);
                }
            }
        } catch (Throwable t) {
            failure = t;
            ready.completeExceptionally(t); // before detaching, which may see the root end
            try {
                detachAll();
            } catch (Throwable t2) {
                t.addSuppressed(t2);
            }
        } finally {
            runAfterResume();
            tasks.close();
            if (doorbell != null) {
                doorbell.close();
            }
        }
        if (failure != null) {
            ready.completeExceptionally(failure);
            end.completeExceptionally(failure);
        } else {
            ready.complete(-1); // no-op unless the program never got to exec
            end.complete(rootEnd != null ? rootEnd : new SessionEnd.Detached());
        }
        reapDetachedChild();
    }

    private void runAfterResume() {
        for (Runnable r; (r = afterResume.poll()) != null; ) {
            r.run();
        }
    }

    // ---- the wait loop ---------------------------------------------------------------------

    /**
     * The next wait status of a tracee. A doorbell ring is handled here; it returns null to the main
     * loop (which then runs the queued tasks) and is swallowed inside a hold, so tasks never run
     * in the middle of stopping a process.
     */
    WaitStatus nextStatus(boolean mainLoop) {
        while (true) {
            WaitStatus ws = stopWait.next();
            if (doorbell != null && ws.pid() == doorbell.pid()) {
                doorbell.handle(ws);
                if (mainLoop) {
                    return null;
                }
                continue;
            }
            return ws;
        }
    }

    void dispatch(WaitStatus ws) {
        Tracee t = tracees.get(ws.pid());
        if (t == null) {
            if (ws.stopped()) {
                earlyStops.put(ws.pid(), ws);
            } else if (ws.pid() == spawnedChild) {
                rootReaped = true;
            }
            return; // exits of threads dropped at exec
        }
        if (ws.dead()) {
            gone(t, ws);
            return;
        }
        t.state = Tracee.State.STOPPED;
        t.regs = null;
        t.inSyscallStop = ws.event() != 0 && ws.event() != Ptrace.EVENT_STOP && ws.event() != Ptrace.EVENT_VFORK_DONE;
        t.lastEvent = ws.event();
        t.inVforkWait = false;
        int sig = ws.stopSig();
        try {
            switch (ws.event()) {
                case Ptrace.EVENT_STOP -> resume(t, Signals.isStopSignal(sig) ? Tracee.Resume.LISTEN : Tracee.Resume.CONT0);
                case Ptrace.EVENT_FORK, Ptrace.EVENT_VFORK, Ptrace.EVENT_CLONE -> born(t, ws.event());
                case Ptrace.EVENT_EXEC -> exec(t);
                case Ptrace.EVENT_VFORK_DONE -> {
                    hooks.onVforkDone(new StoppedThread(t, this));
                    resume(t, Tracee.Resume.CONT0);
                }
                case Ptrace.EVENT_EXIT -> {
                    hooks.onThreadExiting(new StoppedThread(t, this));
                    resume(t, Tracee.Resume.CONT0);
                }
                case 0 -> {
                    if (sig == Signals.SIGTRAP) {
                        trap(t);
                    } else if (hooks.onSignal(new StoppedThread(t, this), sig)) {
                        resume(t, Tracee.Resume.CONT0);
                    } else {
                        resume(t, Tracee.Resume.cont(sig)); // relay the signal as if untraced
                    }
                }
                default -> resume(t, Tracee.Resume.CONT0);
            }
        } catch (SysException e) {
            if (e.errno() != Errno.ESRCH) {
                throw e;
            }
            // SIGKILLed between its stop and our request: nothing to resume, its exit will be reported
            t.pending = null;
            t.regs = null;
            t.state = Tracee.State.RUNNING;
        }
    }

    private void trap(Tracee t) {
        UserRegs regs = Ptrace.getRegs(t.tid);
        t.regs = regs;
        TrapAction a = hooks.onTrap(new StoppedThread(t, this), new Trap(t.tid, regs.ip()));
        resume(t, switch (a) {
            case DELIVER -> Tracee.Resume.cont(Signals.SIGTRAP);
            case RESUME -> Tracee.Resume.CONT0;
            case STEP -> Tracee.Resume.STEP0;
        });
    }

    /** A fork, vfork or clone event: trace the child, which starts in a stop of its own. */
    private void born(Tracee parent, int event) {
        int child = (int) Ptrace.getEventMsg(parent.tid);
        boolean thread = event == Ptrace.EVENT_CLONE && sameProcess(child, parent.process.pid);
        if (thread) {
            if (!tracees.containsKey(child)) {
                addThread(child, parent.process);
                WaitStatus early = earlyStops.remove(child);
                if (early != null) {
                    dispatch(early);
                }
            }
        } else if (!processes.containsKey(child)) {
            TracedProcess p = addProcess(child, false);
            p.holds = 1;
            Tracee c = addThread(child, p);
            WaitStatus early = earlyStops.remove(child);
            dispatch(early != null ? early : Wait.waitpid(child));
            while (tracees.get(child) == c && c.state != Tracee.State.STOPPED) {
                dispatch(Wait.waitpid(child));
            }
            if (processes.containsKey(child)) {
                hooks.onNewProcess(new StoppedProcess(p, this), event == Ptrace.EVENT_VFORK ? Origin.VFORKED : Origin.FORKED,
                        parent.process.pid);
                releaseOrLetGo(p);
            }
        }
        resume(parent, Tracee.Resume.CONT0);
    }

    /** Whether {@code tid} (a clone) is a thread of {@code pid}; clone without CLONE_THREAD makes a process. */
    private static boolean sameProcess(int tid, int pid) {
        try {
            return Procfs.tgid(tid) == pid;
        } catch (SysException e) {
            return true; // already gone (killed): its exit report will clean up; a thread is the common case
        }
    }

    private void exec(Tracee t) {
        TracedProcess p = t.process;
        // the other threads are gone, and the exec'ing thread now has the leader's id (= t.tid)
        for (Tracee o : List.copyOf(p.threads.values())) {
            if (o != t) {
                p.threads.remove(o.tid);
                tracees.remove(o.tid);
            }
        }
        p.memory.execHappened();
        p.syscalls.execHappened();
        Origin origin = p.launching ? Origin.LAUNCHED : Origin.EXECED;
        p.launching = false;
        p.holds++;
        resume(t, Tracee.Resume.CONT0); // recorded: applied at the release below
        try {
            hooks.onNewProcess(new StoppedProcess(p, this), origin, 0);
        } finally {
            releaseOrLetGo(p);
        }
        if (origin == Origin.LAUNCHED) {
            ready.complete(p.pid);
        }
    }

    private void gone(Tracee t, WaitStatus ws) {
        TracedProcess p = t.process;
        tracees.remove(t.tid);
        p.threads.remove(t.tid);
        if (t.tid != p.pid) {
            hooks.onThreadExit(p.pid, t.tid);
            return;
        }
        // with __WALL the leader is reported last: the process is over
        for (Tracee o : p.threads.values()) {
            tracees.remove(o.tid);
        }
        p.threads.clear();
        processes.remove(p.pid);
        p.memory.close();
        if (p.pid == spawnedChild) {
            rootReaped = true;
        }
        if (p.root) {
            rootEnd = ws.exited() ? new SessionEnd.Exited(ws.exitCode()) : new SessionEnd.Killed(ws.termSig(), ws.coreDumped());
            ready.complete(p.pid);
        }
        hooks.onProcessExit(p.pid);
    }

    // ---- resuming, holding, detaching ----------------------------------------------------

    /** Resumes a stopped thread now, or records how to resume it while its process is held. */
    private void resume(Tracee t, Tracee.Resume r) {
        t.pending = r;
        if (t.process.holds == 0) {
            apply(t);
        }
    }

    private void apply(Tracee t) {
        Tracee.Resume r = t.pending;
        t.pending = null;
        t.regs = null;
        try {
            switch (r.kind()) {
                case CONT -> Ptrace.cont(t.tid, r.sig());
                case STEP -> Ptrace.singleStep(t.tid, r.sig());
                case LISTEN -> Ptrace.listen(t.tid);
            }
        } catch (SysException e) {
            if (e.errno() != Errno.ESRCH) {
                throw e;
            }
            // killed while stopped (SIGKILL): its exit will be reported
        }
        t.state = r.kind() == Tracee.Resume.Kind.LISTEN ? Tracee.State.LISTENING : Tracee.State.RUNNING;
        t.inVforkWait = t.lastEvent == Ptrace.EVENT_VFORK && r.kind() == Tracee.Resume.Kind.CONT;
    }

    void interrupt(Tracee t) {
        if (t.state != Tracee.State.STOPPED) {
            try {
                Ptrace.interrupt(t.tid);
            } catch (SysException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw e;
                }
            }
        }
    }

    /** Stops every thread of {@code p} and keeps them stopped until {@link #release}. */
    void hold(TracedProcess p) {
        if (p.holds++ == 0) {
            for (Tracee t : List.copyOf(p.threads.values())) {
                interrupt(t);
            }
        }
        awaitAllStopped(p);
    }

    void awaitAllStopped(TracedProcess p) {
        while (processes.get(p.pid) == p && !p.quiescent()) {
            dispatch(nextStatus(false));
        }
    }

    void release(TracedProcess p) {
        if (--p.holds == 0) {
            for (Tracee t : List.copyOf(p.threads.values())) {
                if (t.state == Tracee.State.STOPPED && t.pending != null) {
                    apply(t);
                }
            }
        }
    }

    /** The end of a hold around {@link TraceHooks#onNewProcess}: the process runs on, traced or not. */
    private void releaseOrLetGo(TracedProcess p) {
        if (p.letGo && processes.get(p.pid) == p) {
            Detacher.detach(this, p);
        } else {
            release(p);
        }
    }

    /** Stops everything, lets the hooks clean up, and detaches from every thread. */
    void detachAll() {
        Detacher.detachAll(this);
    }

    /** After a detach the launched program is still our child: reap it when it ends, so no zombie stays. */
    private void reapDetachedChild() {
        if (spawnedChild > 0 && !rootReaped) {
            try {
                Wait.waitpid(spawnedChild);
            } catch (SysException e) {
                // reaped already
            }
        }
    }

    /**
     * Moves a thread out of an event stop inside a system call to a stop at the return to user
     * mode, without running a user instruction: a queued {@code PTRACE_INTERRUPT} traps it as soon
     * as the system call has returned. Needed before injecting a system call there.
     */
    void settle(Tracee t) {
        checkOnTracerThread();
        if (!t.inSyscallStop) {
            return;
        }
        Ptrace.interrupt(t.tid);
        Ptrace.cont(t.tid, 0);
        t.regs = null;
        while (true) {
            WaitStatus ws = Wait.waitpid(t.tid);
            if (ws.dead()) {
                gone(t, ws);
                throw new IllegalStateException("thread " + t.tid + " ended: " + ws);
            }
            t.inSyscallStop = false;
            if (ws.event() == 0 && ws.stopSig() != Signals.SIGTRAP) {
                t.pending = Tracee.Resume.cont(ws.stopSig()); // a signal came first; the interrupt stays queued
                return;
            }
            if (ws.event() == Ptrace.EVENT_STOP || ws.event() == 0) {
                return;
            }
            t.inSyscallStop = true; // another event: try again
            Ptrace.cont(t.tid, 0);
        }
    }

    /** Runs {@code body} with every thread of {@code pid} stopped (on the tracer thread). */
    <T> T withStopped(int pid, java.util.function.Function<StoppedProcess, T> body) {
        TracedProcess p = processes.get(pid);
        if (p == null) {
            throw new ProcessGoneException(pid);
        }
        hold(p);
        try {
            return body.apply(new StoppedProcess(p, this));
        } finally {
            if (processes.get(pid) == p) {
                release(p);
            }
        }
    }

    List<Integer> pids() {
        return List.copyOf(processes.keySet());
    }

    TracedProcess addProcess(int pid, boolean root) {
        TracedProcess p = new TracedProcess(pid, root);
        processes.put(pid, p);
        return p;
    }

    Tracee addThread(int tid, TracedProcess p) {
        Tracee t = new Tracee(tid, p);
        tracees.put(tid, t);
        p.threads.put(tid, t);
        return t;
    }
}
