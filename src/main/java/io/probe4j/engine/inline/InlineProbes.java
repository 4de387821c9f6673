package io.probe4j.engine.inline;

import io.probe4j.engine.ptrace.Origin;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Reg;
import io.probe4j.sys.Signals;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The inline engine on a ptrace session: jumps to trampolines that record into the shared rings,
 * next to another engine's hooks ({@code trap}: the trap engine, which takes the probes the inline
 * engine cannot) that see every event first. ptrace is used for the process's life events only
 * (exec, fork, library loads, faults of a trampoline's loads, detach), never per hit.
 *
 * <p>When: a launched program or an exec is patched once its C library has set up the first thread
 * (the trampolines read the thread id from it), at the loader's rendezvous ({@code _dl_debug_state},
 * where the trap engine stops anyway): that covers the program and the libraries it loads at start.
 * A library loaded later is patched at the rendezvous too, after every other thread of the process
 * is stopped (a probed library only). An attached process is
 * patched at once. A fork child inherits the patched code and the shared rings; its own id is written
 * into its copy of the pid pages before it runs. A vfork child shares its parent's pages: its id goes
 * into an entry of them, keyed by the control block it runs on, until its parent's thread wakes.
 *
 * <p>C++ exceptions: at the start of an unwind (where the trap engine stops too) the thread's hijacked
 * return addresses get their real values back, as the unwinder finds no unwind information at an exit
 * trampoline; at {@code __cxa_begin_catch} the entries of the frames unwound are dropped and the frames
 * that stay are hijacked again, as the trap engine does.
 */
public final class InlineProbes implements TraceHooks {
    private final TraceHooks trap;
    /** The probes new processes get (fork, exec, dlopen): fewer once some were removed ({@link #remove}). */
    private volatile List<InlineProbe> probes;
    /** Every probe of the session, removed or not: a fork child's memory may hold any of their jumps. */
    private final List<InlineProbe> everyProbe;
    /** The events of the probes removed: a fork child made before its parent's bytes came back gets them back at birth. */
    private final java.util.Set<Integer> removed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final RingMapping rings;
    private final Consumer<String> diagnostics;
    private final PatchJournal journal;
    private final Map<Integer, InlineProcess> processes = new HashMap<>();
    private final RuntimePlaces runtime = new RuntimePlaces();
    /** The runtime places of each process, by address. */
    private final Map<Integer, Map<Long, RuntimePlaces.Kind>> places = new HashMap<>();
    /** Run-time addresses of the probes, by (pid, event): a PIE or library sits elsewhere in each process. */
    private final Map<Long, Long> sites = new java.util.concurrent.ConcurrentHashMap<>();
    /** Inside the stop of every thread for a library load. */
    private boolean patching;
    /** Threads whose id may come back: the reader forgets their names. */
    final Queue<Integer> renamed = new ConcurrentLinkedQueue<>();
    /** Each process's program as it came under tracing or last exec'd (read by the reader's thread too). */
    private final Map<Integer, Image> images = new java.util.concurrent.ConcurrentHashMap<>();

    /** A process's name and executable ({@code /proc/PID/exe}) at a stop of the engine. */
    private record Image(String comm, String exe) {
        static Image of(int pid) {
            return new Image(EventDecoder.comm(pid, pid), InlineProbes.exe(pid));
        }
    }

    private static String exe(int pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", String.valueOf(pid), "exe")).toString();
        } catch (java.io.IOException | RuntimeException gone) {
            return "";
        }
    }

    /**
     * The name of thread {@code tid} for its records the reader takes now: {@code /proc}'s, except where a
     * process's main thread has a name other than the one the engine saw at its last stop and another
     * executable: it exec'd, and the kernel renamed it before the exec stop the engine has not handled yet
     * (its records so far are the old program's). A program that renames itself keeps its executable.
     */
    String comm(int pid, int tid) {
        String now = EventDecoder.comm(pid, tid);
        Image known = tid == pid ? images.get(pid) : null;
        if (known == null || now.equals(known.comm()) || exe(pid).equals(known.exe())) {
            return now;
        }
        return known.comm();
    }

    public InlineProbes(TraceHooks trap, List<InlineProbe> probes, RingMapping rings, PatchJournal journal,
            Consumer<String> diagnostics) {
        this.trap = trap;
        this.probes = List.copyOf(probes);
        this.everyProbe = this.probes;
        this.rings = rings;
        this.journal = journal;
        this.diagnostics = diagnostics;
    }

    /**
     * Takes the probes {@code events} out (every probe at one address, all unregistered). With a null
     * process: out of what processes get from now on (fork, exec, dlopen). Else out of {@code process},
     * every thread stopped: the file's bytes are back at the site. A thread inside the trampoline
     * meanwhile goes on through it and back to the code after the site, and a return trampoline holding
     * a swapped return address still returns there: their records find no probe, and are dropped.
     * The tracer's thread.
     */
    public void remove(java.util.Set<Integer> events, StoppedProcess process) {
        if (process == null) {
            removed.addAll(events);
            probes = probes.stream().filter(p -> !events.contains(p.event())).toList();
            return;
        }
        InlineProcess ip = processes.get(process.pid());
        if (ip == null || ip.pid != process.pid()) {
            return; // nothing patched, or a vfork child in its parent's memory (the parent puts the bytes back)
        }
        unpatch(ip, process.pid(), events);
    }

    /** The file's bytes back at the sites of {@code events} in process {@code pid} ({@code ip}), every thread stopped. */
    private void unpatch(InlineProcess ip, int pid, java.util.Collection<Integer> events) {
        for (int e : events) {
            long at = site(pid, e);
            if (at != 0) {
                ip.unpatch(at).forEach(diagnostics);
            }
        }
    }

    /** Where probe {@code event} is in process {@code pid}, 0 when not known. */
    public long site(int pid, int event) {
        return sites.getOrDefault((long) pid << 32 | event, 0L);
    }

    private void placed(int pid, int event, long address) {
        sites.put((long) pid << 32 | event, address);
    }

    /** Set by the reader: at an exec stop, takes what the rings hold, named and placed as before the exec. */
    @FunctionalInterface
    interface ExecStop {
        void execed(int pid, List<Integer> tids, String before);
    }

    volatile ExecStop execNow = (pid, tids, before) -> { };

    @Override
    public void onNewProcess(StoppedProcess process, Origin origin, int parentPid) {
        int pid = process.pid();
        if (origin == Origin.EXECED) { // before the probes move to the new image
            Image before = images.get(pid);
            execNow.execed(pid, process.threads().stream().map(StoppedThread::tid).toList(), before == null ? null : before.comm());
        }
        io.probe4j.sys.Phase.mark("onNewProcess");
        images.put(pid, Image.of(pid));
        trap.onNewProcess(process, origin, parentPid);
        io.probe4j.sys.Phase.mark("trap.onNewProcess");
        InlineProcess parent = processes.get(parentPid);
        if ((origin == Origin.FORKED || origin == Origin.VFORKED) && parent != null) {
            places.put(pid, places.getOrDefault(parentPid, Map.of()));
            for (InlineProbe p : everyProbe) { // the parent's addresses: the child's memory is a copy, or the parent's
                long at = site(parentPid, p.event());
                if (at != 0) {
                    placed(pid, p.event(), at);
                }
            }
        }
        if (origin == Origin.FORKED && parent != null) {
            InlineProcess child = parent.forkChild(pid, process.memory(), journal);
            processes.put(pid, child);
            unpatch(child, pid, removed); // forked while its parent's bytes were being put back: the copy gets them too
            return;
        }
        if (origin == Origin.VFORKED && parent != null) {
            processes.put(pid, parent); // one address space until it execs
            List<StoppedThread> child = process.threads();
            long block = child.isEmpty() ? 0 : controlBlock(child.getFirst());
            if (block != 0 && !parent.pidPages().vforkStarted(pid, block)) {
                diagnostics.accept("more than " + io.probe4j.engine.ring.PidPage.SLOTS + " vfork children of process "
                        + parentPid + " at once: the records of child " + pid + " carry its parent's ids");
            }
            return;
        }
        processes.remove(pid);
        InlineProcess ip = new InlineProcess(pid, process.memory());
        processes.put(pid, ip);
        List<Mapping> maps = process.maps();
        places.put(pid, runtime.in(maps));
        io.probe4j.sys.Phase.mark("maps");
        ip.install(probes, maps, process.threads(), Remote.of(process), rings, journal, this::placed).forEach(diagnostics);
        io.probe4j.sys.Phase.mark("installed");
        if (!ip.patched() && !places.get(pid).containsValue(RuntimePlaces.Kind.RENDEZVOUS) && ip.pending(probes, maps)) {
            // no loader: a static executable, patched once its C library has set up the thread
            java.util.OptionalLong at = StartStop.find(pid, maps);
            if (at.isPresent()) {
                ip.armStart(at.getAsLong(), journal);
            } else {
                diagnostics.accept("process " + pid + " has no loader and no symbol tells when its C library has set up "
                        + "the thread (a stripped static executable?): the inline engine does not patch it, its inline "
                        + "probes get no events");
            }
        }
    }

    @Override
    public TrapAction onTrap(StoppedThread thread, Trap t) {
        InlineProcess own = processes.get(thread.pid());
        if (own != null && own.pid == thread.pid() && own.startsAt(t.ip() - 1)) {
            return started(thread, t, own);
        }
        RuntimePlaces.Kind kind = places.getOrDefault(thread.pid(), Map.of()).get(t.ip() - 1);
        long sp = kind == RuntimePlaces.Kind.CATCH ? thread.regs().sp() : 0; // before the trap engine moves the thread on
        TrapAction a = trap.onTrap(thread, t);
        InlineProcess ip = processes.get(thread.pid());
        if (kind != null && ip != null) {
            switch (kind) {
                case RENDEZVOUS -> librariesChanged(thread, ip);
                case UNWIND -> ip.unwindStarts(controlBlock(thread));
                case CATCH -> ip.caught(controlBlock(thread), sp);
            }
        }
        return a;
    }

    /**
     * The loader's rendezvous: a library came or went. A probed one that came is patched, with every
     * other thread of the process stopped.
     */
    private void librariesChanged(StoppedThread thread, InlineProcess ip) {
        List<Mapping> maps = Procfs.maps(thread.pid());
        places.put(thread.pid(), runtime.in(maps));
        if (patching || !ip.pending(probes, maps)) {
            return; // a rendezvous of another thread met while stopping them is covered by the one stopping them
        }
        installStopped(thread, ip);
    }

    /** A static executable's C library has set up the thread: the breakpoint goes, the probes go in. */
    private TrapAction started(StoppedThread thread, Trap t, InlineProcess ip) {
        TrapAction a = trap.onTrap(thread, t); // the trap engine may have a breakpoint of its own there
        ip.disarmStart();
        if (a == TrapAction.DELIVER) { // ours alone: the instruction runs now, as if never stopped
            thread.setRegs(thread.regs().set(Reg.IP, t.ip() - 1));
            a = TrapAction.RESUME;
        }
        installStopped(thread, ip);
        return a;
    }

    /** Installs what is pending in {@code ip}, with every thread of its process stopped. */
    private void installStopped(StoppedThread thread, InlineProcess ip) {
        patching = true;
        try {
            thread.withProcessStopped(p -> {
                List<StoppedThread> all = p.threads();
                if (all.stream().anyMatch(o -> o.tid() == thread.tid())) { // else the process ended meanwhile
                    ip.install(probes, p.maps(), all, Remote.of(thread), rings, journal, this::placed).forEach(diagnostics);
                }
                return null;
            });
        } finally {
            patching = false;
        }
    }

    @Override
    public boolean onSignal(StoppedThread thread, int sig) {
        if (sig == Signals.SIGSEGV || sig == Signals.SIGBUS) {
            InlineProcess ip = processes.get(thread.pid());
            if (ip != null) {
                var regs = thread.regs();
                long fixup = ip.fixupFor(regs.ip());
                if (fixup >= 0) { // a fetch argument's bad pointer: the record says (fault), the program never knows
                    regs.set(Reg.IP, fixup);
                    thread.setRegs(regs);
                    return true;
                }
            }
        }
        return trap.onSignal(thread, sig);
    }

    @Override
    public void onVforkDone(StoppedThread parent) {
        InlineProcess ip = processes.get(parent.pid());
        if (ip != null) {
            long block = controlBlock(parent);
            if (block != 0) {
                ip.pidPages().vforkDone(block);
            }
        }
        trap.onVforkDone(parent);
    }

    /** The thread's control block as the trampolines see it ({@code %fs:0}), 0 when it has none. */
    private static long controlBlock(StoppedThread t) {
        long fs = t.regs().get(Reg.FS_BASE);
        try {
            return fs == 0 ? 0 : t.memory().readLong(fs);
        } catch (RuntimeException unreadable) {
            return 0;
        }
    }

    @Override
    public void beforeDetach(StoppedProcess process) {
        InlineProcess ip = processes.remove(process.pid());
        try {
            if (ip != null && ip.pid == process.pid()) {
                ip.restore(process.threads(), Remote.of(process), rings).forEach(diagnostics);
            }
        } finally {
            trap.beforeDetach(process);
        }
    }

    /** What the reader does at a thread's exit stop, on the tracer's thread. */
    @FunctionalInterface
    interface ThreadExiting {
        void exiting(int pid, int tid);
    }

    /** Set by the reader: empties the rings now and makes sure the exiting thread's name is known. */
    volatile ThreadExiting drainNow = (pid, tid) -> { };

    /**
     * Stops each exiting thread: its return stack is emptied (a thread that gets its control block
     * must not find its entries), and its records are decoded then, while its name can still be read
     * (a short-lived thread or program would otherwise show as {@code <...>}).
     */
    @Override
    public boolean wantsExitStops() {
        return true;
    }

    @Override
    public void onThreadExiting(StoppedThread thread) {
        InlineProcess ip = processes.get(thread.pid());
        if (ip != null && ip.pid == thread.pid()) { // a vfork child runs on its parent's thread's block: not its to empty
            long block = controlBlock(thread);
            if (block != 0) {
                ip.threadEnding(block);
            }
        }
        drainNow.exiting(thread.pid(), thread.tid());
        trap.onThreadExiting(thread);
    }

    @Override
    public void onThreadExit(int pid, int tid) {
        renamed.add(tid);
        trap.onThreadExit(pid, tid);
    }

    @Override
    public void onProcessExit(int pid) {
        processes.remove(pid);
        places.remove(pid);
        images.remove(pid);
        trap.onProcessExit(pid);
    }
}
