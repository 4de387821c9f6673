package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.Origin;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import io.probe4j.arch.x86_64.Effect;
import io.probe4j.arch.x86_64.Gpr;
import io.probe4j.arch.x86_64.Registers;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Reg;
import io.probe4j.sys.RemoteSyscall;
import io.probe4j.sys.UserRegs;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The probe mechanism of the trap engine (what {@code kernel/events/uprobes.c} is for the kernel),
 * plugged into a {@link TraceSession} as its {@link TraceHooks}: breakpoints in every traced process
 * that maps a probed file (at launch, attach, exec, fork, and {@code dlopen} through the loader's
 * {@link RuntimeHook#RENDEZVOUS}); at a hit the consumers' pre handlers, then the displaced instruction emulated in
 * the same stop or run out of line from a slot (one stop per hit; post handlers add a stop); return
 * probes through a trampoline and per-thread {@link ReturnStack}s; and a detach that leaves the program
 * running unharmed.
 *
 * <p>Points are added and removed with {@link #add} and {@link #remove} on the tracer thread (through
 * {@link TraceSession#withStopped} for running processes).
 */
public final class Uprobes implements TraceHooks {
    /** The points, in the order they were added; guarded by {@code this} (added before and while tracing). */
    private final Set<ProbePoint> points = new LinkedHashSet<>();
    private final Map<Integer, ProcessProbes> processes = new HashMap<>();
    private final RuntimeHooks runtimeHooks;
    private BreakpointJournal journal;
    private boolean journalFailed;
    private int guardian;
    private final Consumer<String> diagnostics;
    private volatile Thread tracerThread;
    private volatile boolean followChildren = true;

    /** @param diagnostics where problems go that must not stop tracing (a probe that cannot be installed in one process) */
    public Uprobes(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
        this.runtimeHooks = new RuntimeHooks(diagnostics);
    }

    /** The points, in the order they were added. */
    public synchronized List<ProbePoint> points() {
        return List.copyOf(points);
    }

    /** Adds a point: installed in processes that come later, and in {@code process} now if given. */
    public void add(ProbePoint p, StoppedProcess process) {
        add(List.of(p), process);
    }

    /** Adds points: installed in processes that come later, and in {@code process} now if given (in one go). */
    public void add(Collection<ProbePoint> added, StoppedProcess process) {
        synchronized (this) {
            points.addAll(added);
        }
        if (process != null) {
            ProcessProbes pp = processes.get(process.pid());
            if (pp != null && pp.owner == pp) {
                pp.installEverywhere(added, process::mmapNear).forEach(diagnostics);
            }
        }
    }

    /** Removes a point's breakpoints from {@code process} (call for each traced process), and from later ones. */
    public void remove(ProbePoint p, StoppedProcess process) {
        remove(List.of(p), process);
    }

    /**
     * Removes points' breakpoints from {@code process} (call for each traced process), and from later ones;
     * their out-of-line slots are free for other probes afterwards.
     */
    public void remove(Collection<ProbePoint> removed, StoppedProcess process) {
        synchronized (this) {
            for (ProbePoint p : removed) {
                points.remove(p);
            }
        }
        if (process != null) {
            ProcessProbes pp = processes.get(process.pid());
            if (pp != null && pp.owner == pp) {
                pp.uninstall(removed, process.threads());
                pp.semaphores.sync(pp).forEach(diagnostics); // and the USDT semaphores they held
            }
        }
    }

    // ---- processes -------------------------------------------------------------------------

    /**
     * Whether processes forked by traced processes are probed too (the default, as the kernel's uprobes
     * apply to every process). When not, a fork child gets every breakpoint, hijacked return address and
     * XOL area taken out of its copy of the memory at once and is let go (no longer traced); a vfork
     * child, which shares its parent's memory until it execs, runs through the breakpoints without its
     * handlers being called, and is let go at its exec.
     */
    public void followChildren(boolean follow) {
        this.followChildren = follow;
    }

    /** Whether the caller is the session's tracer thread (handlers run there). */
    public boolean onTracerThread() {
        return Thread.currentThread() == tracerThread;
    }

    @Override
    public void onNewProcess(StoppedProcess process, Origin origin, int parentPid) {
        tracerThread = Thread.currentThread();
        ProcessProbes pp;
        ProcessProbes parent = processes.get(parentPid);
        if ((origin == Origin.FORKED || origin == Origin.VFORKED) && parent != null) {
            long childSp = process.threads().isEmpty() ? 0 : process.threads().getFirst().regs().sp();
            pp = parent.forkChild(process.pid(), process.memory(), childSp, origin == Origin.VFORKED);
            processes.put(process.pid(), pp);
            if (!followChildren || parent.silent) {
                pp.silent = true;
                if (origin == Origin.FORKED) {
                    // beforeDetach takes its copy of our breakpoints, hijacked returns and areas out,
                    // then the session lets go of it: it runs as if never probed
                    process.letGo();
                }
                // a vfork child shares its parent's memory, breakpoints included: it stays, silent,
                // until it execs
            }
            return;
        }
        ProcessProbes old = processes.remove(process.pid());
        if (old != null) {
            old.journalGone(); // exec: a new address space
            old.closeStats();
        }
        pp = new ProcessProbes(process.pid(), process.memory());
        pp.useJournal(journal());
        processes.put(process.pid(), pp);
        if (old != null && old.silent) {
            process.letGo(); // an unfollowed vfork child, now in a program of its own
            return;
        }
        pp.scan(points(), runtimeHooks, process::mmapNear).forEach(diagnostics);
    }

    @Override
    public void onThreadExit(int pid, int tid) {
        ProcessProbes pp = processes.get(pid);
        if (pp != null) {
            pp.threadGone(tid);
        }
    }

    @Override
    public void onProcessExit(int pid) {
        ProcessProbes pp = processes.remove(pid);
        if (pp != null) {
            pp.journalGone();
            pp.closeStats();
        }
        endJournalWhenIdle();
    }

    @Override
    public void beforeDetach(StoppedProcess process) {
        ProcessProbes pp = processes.remove(process.pid());
        if (pp != null) {
            try {
                Disarm.clean(pp, process);
                pp.semaphores.sync(pp).forEach(diagnostics); // the breakpoints are out: so are their increments
                pp.journalGone();
            } finally {
                pp.closeStats();
            }
        }
        endJournalWhenIdle();
    }

    /**
     * The session's breakpoint journal, and the guardian that restores from it if this JVM is killed;
     * made with the first process (none with {@code -Dprobe4j.guardian=off}).
     */
    private BreakpointJournal journal() {
        if (journal == null && !journalFailed && !"off".equals(System.getProperty("probe4j.guardian"))) {
            try {
                JournalRestore.reportLeftovers(System.err);
                journal = BreakpointJournal.create();
                if (!"false".equals(System.getProperty("probe4j.guardian"))) {
                    // the hooks run on the session's tracer thread: the guardian watches it
                    guardian = Guardian.start(journal.file(), Procfs.currentTid());
                }
            } catch (RuntimeException e) {
                journalFailed = true;
                diagnostics.accept("warning: no breakpoint journal (" + e.getMessage()
                        + "): if this JVM is killed with SIGKILL, breakpoints stay in the traced programs");
            }
        }
        return journal;
    }

    /**
     * Writes down, before another engine patches {@code originals[i]} at {@code addrs[i]} of process
     * {@code pid} with {@code patches[i]}, what the guardian must put back if this JVM is killed (the
     * inline engine's jumps): all of them in one write.
     */
    public void journalPatch(int pid, long[] addrs, byte[][] originals, byte[][] patches) {
        ProcessProbes pp = processes.get(pid);
        if (pp != null && pp.journal != null) {
            pp.journal.patching(pid, pp.startTime, addrs, originals, patches);
        }
    }

    /** The last process is gone: every breakpoint is out, the journal and its guardian go. */
    private void endJournalWhenIdle() {
        if (processes.isEmpty() && journal != null) {
            journal.close();
            journal = null;
            if (guardian > 0) {
                try {
                    io.probe4j.sys.Signals.kill(guardian, io.probe4j.sys.Signals.SIGKILL);
                    io.probe4j.sys.Wait.waitpid(guardian);
                } catch (io.probe4j.sys.SysException gone) {
                    // it saw the journal go and ended by itself
                }
                guardian = 0;
            }
        }
    }

    // ---- hits -------------------------------------------------------------------------------

    @Override
    public TrapAction onTrap(StoppedThread thread, Trap trap) {
        ProcessProbes pp = processes.get(thread.pid());
        if (pp == null) {
            return TrapAction.DELIVER;
        }
        // Behind our int3s in the XOL area, and inside an instruction of two bytes or more, no
        // instruction of the program starts: a stop there comes from the int3. Elsewhere ask.
        long at = trap.ip() - 1;
        Breakpoint bp = pp.breakpoints.get(at);
        if (bp != null) {
            return bp.insn.length() > 1 || trap.isBreakpoint() ? entry(pp, thread, bp) : TrapAction.DELIVER;
        }
        if (pp.isTrampoline(at)) {
            return trampoline(pp, thread);
        }
        XolArea area = pp.areaContaining(at);
        if (area != null) {
            Breakpoint owner = pp.bySlot.get(area.slotOf(at));
            if (owner != null && owner.postTrap() == at) {
                return post(pp, thread, owner);
            }
        }
        if (!trap.isBreakpoint()) {
            return TrapAction.DELIVER;
        }
        if (pp.removed.contains(at) && thread.memory().readForced(at, 1)[0] != XolArea.INT3) {
            // trapped on a breakpoint removed meanwhile: run the original instruction now in its place
            UserRegs r = thread.regs();
            thread.setRegs(r.set(Reg.IP, at));
            return TrapAction.RESUME;
        }
        return TrapAction.DELIVER; // the program's own int3
    }

    private TrapAction entry(ProcessProbes pp, StoppedThread thread, Breakpoint bp) {
        long now = System.nanoTime();
        UserRegs regs = thread.regs();
        regs.set(Reg.IP, bp.addr); // handlers see the probe's address, as the kernel shows them
        if (bp.hook != null) {
            switch (bp.hook) {
                case RENDEZVOUS -> pp.scan(points(), runtimeHooks, new ThreadInjector(pp, thread)).forEach(diagnostics);
                case UNWIND -> pp.returnStack(thread.tid()).restoreAll(pp.memory, pp.trampoline());
                case CATCH -> pp.returnStack(thread.tid()).rehijack(regs.sp(), pp.memory, pp.trampoline());
            }
        }
        ProbePoint p = pp.silent ? null : bp.point;
        ProbeHit hit = null;
        if (p != null) {
            for (ProbeConsumer c : p.consumers) {
                if (c.isEnabled()) {
                    if (hit == null) {
                        hit = newHit(ProbeHit.Kind.ENTRY, pp, thread, bp, 0, regs, now);
                    }
                    call(c, hit, ProbeConsumer::onEntry);
                }
            }
            if (p.anyEnabled(ProbeConsumer::wantsReturn) && regs.ip() == bp.addr) {
                hijackReturn(pp, thread.tid(), p, bp.addr, regs.sp());
            }
        }
        if (regs.ip() != bp.addr) { // a handler sent the thread elsewhere: skip the instruction
            thread.setRegs(regs);
            return TrapAction.RESUME;
        }
        boolean post = p != null && p.anyEnabled(ProbeConsumer::wantsPost);
        if (bp.emulation != null) {
            applyEmulation(pp, bp, regs);
            if (post) {
                runPost(pp, thread, bp, regs, now);
            }
        } else {
            regs.set(Reg.IP, post ? bp.slot + XolArea.VARIANT_SIZE : bp.slot);
        }
        thread.setRegs(regs);
        return TrapAction.RESUME;
    }

    private TrapAction post(ProcessProbes pp, StoppedThread thread, Breakpoint bp) {
        UserRegs regs = thread.regs();
        regs.set(Reg.IP, bp.insn.next()); // the jump back after the int3 would go there
        runPost(pp, thread, bp, regs, System.nanoTime());
        thread.setRegs(regs);
        return TrapAction.RESUME;
    }

    private void runPost(ProcessProbes pp, StoppedThread thread, Breakpoint bp, UserRegs regs, long now) {
        ProbePoint p = bp.point;
        if (p == null || pp.silent) {
            return;
        }
        ProbeHit hit = newHit(ProbeHit.Kind.POST, pp, thread, bp, 0, regs, now);
        for (ProbeConsumer c : p.consumers) {
            if (c.isEnabled() && c.wantsPost()) {
                call(c, hit, ProbeConsumer::post);
            }
        }
    }

    private void hijackReturn(ProcessProbes pp, int tid, ProbePoint p, long function, long sp) {
        long trampoline = pp.trampoline();
        if (trampoline == 0) {
            diagnostics.accept("no XOL area in process " + pp.pid + " for the return trampoline");
            return;
        }
        long slotValue;
        try {
            slotValue = pp.memory.readLong(sp);
        } catch (RuntimeException e) {
            return; // no readable return address: not a function entry
        }
        ReturnInstance ri = pp.returnStack(tid).prepare(p, function, sp, slotValue, trampoline);
        if (ri != null && !ri.chained()) {
            pp.memory.write(sp, le(trampoline));
        }
    }

    private TrapAction trampoline(ProcessProbes pp, StoppedThread thread) {
        long now = System.nanoTime();
        UserRegs regs = thread.regs();
        ReturnStack.Returned r = pp.returnStack(thread.tid()).popAtTrampoline(regs.sp());
        if (r == null) {
            diagnostics.accept("thread " + thread.tid() + " hit the return trampoline with no pending return");
            return TrapAction.DELIVER;
        }
        regs.set(Reg.IP, r.resumeAt());
        for (ReturnInstance ri : pp.silent ? java.util.List.<ReturnInstance>of() : r.fired()) {
            ProbeHit hit = null;
            for (ProbeConsumer c : ri.point().consumers) {
                if (c.isEnabled() && c.wantsReturn()) {
                    if (hit == null) {
                        hit = new ProbeHit(ProbeHit.Kind.RETURN, pp.pid, thread.tid(), ri.function(),
                                ri.point().offset(), ri.returnAddress(), regs, pp.memory, pp.stat(thread.tid()), now,
                                later(thread)).returnAddresses(originalReturns(pp, thread.tid())).mappingsGeneration(pp.mappingsGeneration);
                    }
                    call(c, hit, ProbeConsumer::onReturn);
                }
            }
        }
        thread.setRegs(regs);
        return TrapAction.RESUME;
    }

    private ProbeHit newHit(ProbeHit.Kind kind, ProcessProbes pp, StoppedThread thread, Breakpoint bp, long ret,
                            UserRegs regs, long now) {
        return new ProbeHit(kind, pp.pid, thread.tid(), bp.addr, bp.point.offset(), ret, regs, pp.memory,
                pp.stat(thread.tid()), now, later(thread)).returnAddresses(originalReturns(pp, thread.tid()))
                .mappingsGeneration(pp.mappingsGeneration);
    }

    /** Stack walks see through the trampoline to the return addresses it replaced. */
    private static java.util.function.LongBinaryOperator originalReturns(ProcessProbes pp, int tid) {
        return (slot, value) -> pp.returns.containsKey(tid) ? pp.returnStack(tid).original(slot, value, pp.trampoline()) : value;
    }

    /** Where a handler's after-resume work goes: the tracer loop, failures reported like a handler's. */
    private java.util.function.Consumer<Runnable> later(StoppedThread thread) {
        return work -> thread.afterResume(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                diagnostics.accept("work after a probe hit in thread " + thread.tid() + " failed: " + e);
            }
        });
    }

    private void call(ProbeConsumer c, ProbeHit hit, java.util.function.BiConsumer<ProbeConsumer, ProbeHit> what) {
        try {
            what.accept(c, hit);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            diagnostics.accept("a probe handler at " + hit.pid() + ":0x" + Long.toHexString(hit.address()) + " failed: " + e);
        }
    }

    /** Carries out an emulated instruction on the registers (and the stack, for a push or call). */
    static void applyEmulation(ProcessProbes pp, Breakpoint bp, UserRegs regs) {
        Effect e = bp.emulation.apply(view(regs), pp.memory::readLong);
        if (e.store().isPresent()) {
            pp.memory.write(e.sp(), le(e.store().getAsLong()));
        }
        e.registers().forEach((g, v) -> regs.set(reg(g), v));
        regs.set(Reg.SP, e.sp()).set(Reg.IP, e.ip());
    }

    static Registers view(UserRegs regs) {
        return new Registers() {
            public long get(Gpr r) {
                return regs.get(reg(r));
            }

            public long flags() {
                return regs.get(Reg.FLAGS);
            }

            public long fsBase() {
                return regs.get(Reg.FS_BASE);
            }

            public long gsBase() {
                return regs.get(Reg.GS_BASE);
            }
        };
    }

    private static final Reg[] BY_GPR = new Reg[16];

    static {
        for (Gpr g : Gpr.values()) {
            BY_GPR[g.number()] = Reg.byName(g.ptRegsName()).orElseThrow();
        }
    }

    static Reg reg(Gpr g) {
        return BY_GPR[g.number()];
    }

    static byte[] le(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >> (8 * i));
        }
        return b;
    }

    /** mmap through the thread that hit (it is in a signal-delivery-stop, which an injected call tolerates). */
    private record ThreadInjector(ProcessProbes pp, StoppedThread thread) implements ProcessProbes.Injector {
        public long mmapNear(long near, long len, String name) {
            return new RemoteSyscall(pp.pid, thread.memory()).mmapNear(thread.tid(), near, len, name);
        }
    }

    /** Counts for tests and the profile: pending return instances of a process's threads. */
    int pendingReturns(int pid) {
        ProcessProbes pp = processes.get(pid);
        int n = 0;
        if (pp != null) {
            for (ReturnStack rs : pp.returns.values()) {
                n += rs.depth();
            }
        }
        return n;
    }
}
