package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.SysException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What probe4j put into one address space: breakpoints by address, the XOL areas, and the pending
 * returns of its threads. A vfork child shares its parent's memory, so it shares the breakpoints and
 * areas ({@link #owner} is the parent's) and has only its own return stacks.
 */
final class ProcessProbes {
    /** Maps memory in the process (through a stopped thread). */
    interface Injector {
        long mmapNear(long near, long len, String name);
    }

    private static final int MAX_OPEN_STATS = 256;

    final int pid;
    final ProcessMemory memory;
    final ProcessProbes owner;
    final Map<Long, Breakpoint> breakpoints;
    final Map<Long, Breakpoint> bySlot;
    final List<XolArea> areas;
    final Map<Integer, ReturnStack> returns = new HashMap<>();
    final Map<Integer, ThreadStat> stats = new HashMap<>();
    /** Addresses whose breakpoint was removed: a thread may have trapped there just before. */
    final Set<Long> removed;
    /** A child the session does not follow: no handlers run in it (see {@link Uprobes#followChildren}). */
    boolean silent;
    /** Where breakpoints are recorded before they are written (null: nowhere), and this process's start time. */
    BreakpointJournal journal;
    long startTime;
    /** The USDT semaphores probe4j incremented in this address space. */
    final Semaphores semaphores;
    /** Unique over the session: a new value at each scan, i.e. at the start, at exec and at each dlopen or dlclose. */
    private static final java.util.concurrent.atomic.AtomicLong GENERATIONS = new java.util.concurrent.atomic.AtomicLong();
    /** The generation of the mappings the last scan saw (see {@link ProbeHit#mappingsGeneration()}). */
    long mappingsGeneration;
    /** Executable file mappings already looked at ("start:inode:offset"). */
    private final Set<String> scanned;

    ProcessProbes(int pid, ProcessMemory memory) {
        this.pid = pid;
        this.memory = memory;
        this.owner = this;
        this.breakpoints = new HashMap<>();
        this.bySlot = new HashMap<>();
        this.areas = new ArrayList<>();
        this.removed = new HashSet<>();
        this.scanned = new HashSet<>();
        this.semaphores = new Semaphores();
    }

    private ProcessProbes(int pid, ProcessMemory memory, ProcessProbes parent, boolean shareMemory) {
        this.pid = pid;
        this.memory = memory;
        if (shareMemory) {
            this.owner = parent.owner;
            this.breakpoints = parent.breakpoints;
            this.bySlot = parent.bySlot;
            this.areas = parent.areas;
            this.removed = parent.removed;
            this.scanned = parent.scanned;
            this.semaphores = parent.semaphores;
        } else {
            this.owner = this;
            this.breakpoints = new HashMap<>(parent.breakpoints.size());
            this.bySlot = new HashMap<>();
            for (Map.Entry<Long, Breakpoint> e : parent.breakpoints.entrySet()) {
                Breakpoint copy = e.getValue().copy();
                this.breakpoints.put(e.getKey(), copy);
                if (copy.slot != 0) {
                    this.bySlot.put(copy.slot, copy);
                }
            }
            this.areas = new ArrayList<>();
            parent.areas.forEach(a -> this.areas.add(a.copy()));
            this.removed = new HashSet<>(parent.removed);
            this.scanned = new HashSet<>(parent.scanned);
            this.semaphores = parent.semaphores.copy();
        }
    }

    /** The state of a fork child: a copy of the memory, so of the breakpoints, areas and the forking thread's returns. */
    ProcessProbes forkChild(int childPid, ProcessMemory childMemory, long childSp, boolean vfork) {
        ProcessProbes c = new ProcessProbes(childPid, childMemory, this, vfork);
        c.useJournal(journal);
        if (!vfork && journal != null) {
            // the child's copy of the memory holds our int3s already: record them before it runs
            c.breakpoints.values().forEach(bp -> journal.inserting(childPid, c.startTime, bp.addr, bp.original));
            c.semaphores.journalCopy(childPid, c.startTime, journal);
        }
        ReturnStack forker = forkingThreadReturns(childSp);
        if (forker != null) {
            c.returns.put(childPid, forker.copy());
        }
        return c;
    }

    /**
     * The return stack of the thread that forked: the child's stack pointer is the forker's, so it is the
     * thread whose newest instance's slot lies closest above it.
     */
    private ReturnStack forkingThreadReturns(long childSp) {
        ReturnStack best = null;
        long bestDist = Long.MAX_VALUE;
        for (ReturnStack rs : returns.values()) {
            var it = rs.iterator();
            if (it.hasNext()) {
                long d = it.next().sp() - childSp;
                if (d >= 0 && d < bestDist) {
                    best = rs;
                    bestDist = d;
                }
            }
        }
        return best;
    }

    ReturnStack returnStack(int tid) {
        return returns.computeIfAbsent(tid, t -> new ReturnStack());
    }

    /** A thread ended: its pending returns and open files go (a new thread may get its id). */
    void threadGone(int tid) {
        returns.remove(tid);
        ThreadStat s = stats.remove(tid);
        if (s != null) {
            s.close();
        }
    }

    ThreadStat stat(int tid) {
        ThreadStat s = stats.get(tid);
        if (s == null) {
            if (stats.size() >= MAX_OPEN_STATS) { // a process of very many threads: bound our descriptors
                closeStats();
            }
            try {
                s = new ThreadStat(pid, tid);
                stats.put(tid, s);
            } catch (SysException e) {
                return null; // the thread is gone
            }
        }
        s.locate();
        return s;
    }

    /** The trampoline address (in the first area), or 0 while there is no area. */
    long trampoline() {
        return areas.isEmpty() ? 0 : areas.getFirst().trampoline();
    }

    boolean isTrampoline(long addr) {
        for (XolArea a : areas) {
            if (a.trampoline() == addr) {
                return true;
            }
        }
        return false;
    }

    XolArea areaContaining(long addr) {
        for (XolArea a : areas) {
            if (a.contains(addr)) {
                return a;
            }
        }
        return null;
    }

    /** An area within reach of {@code addr} with a free slot; another one is mapped when none has. */
    XolArea areaWithSlotNear(long addr, Injector injector) {
        for (XolArea a : areas) {
            if (a.reaches(addr) && a.hasFreeSlot()) {
                return a;
            }
        }
        return mapArea(addr, injector);
    }

    private XolArea mapArea(long near, Injector injector) {
        long start = injector.mmapNear(near, XolArea.SIZE, "probe4j-xol");
        XolArea a = new XolArea(start);
        memory.writeForced(start, new byte[] {XolArea.INT3});
        areas.add(a);
        return a;
    }

    /**
     * Looks at the executable file mappings not seen yet (and forgets breakpoints whose code was
     * unmapped) and installs every point that falls into them, and the {@link RuntimeHook}s. Returns what
     * could not be installed, as messages.
     */
    List<String> scan(Collection<ProbePoint> points, RuntimeHooks hooks, Injector injector) {
        mappingsGeneration = GENERATIONS.incrementAndGet();
        List<Mapping> maps = Procfs.maps(pid);
        forgetUnmapped(maps);
        Map<Long, List<ProbePoint>> byInode = new HashMap<>();
        for (ProbePoint p : points) {
            byInode.computeIfAbsent(p.inode(), i -> new ArrayList<>()).add(p);
        }
        List<BreakpointWriter.Site> sites = new ArrayList<>();
        for (Mapping m : maps) {
            if (!m.executable() || m.inode() == 0 || !scanned.add(m.start() + ":" + m.inode() + ":" + m.offset())) {
                continue;
            }
            for (ProbePoint p : byInode.getOrDefault(m.inode(), List.of())) {
                if (maps(m, p)) {
                    sites.add(new BreakpointWriter.Site(m.addressOf(p.offset()), m, p, null));
                }
            }
            for (RuntimeHooks.Place h : hooks.placesIn(m)) {
                if (m.holdsFileOffset(h.fileOffset())) {
                    sites.add(new BreakpointWriter.Site(m.addressOf(h.fileOffset()), m, null, h.hook()));
                }
            }
        }
        return semaphores.afterInstall(install(sites, injector), this, maps);
    }

    /** Installs {@code points} in every current mapping of their files (for points added while running). */
    List<String> installEverywhere(Collection<ProbePoint> points, Injector injector) {
        List<BreakpointWriter.Site> sites = new ArrayList<>();
        List<Mapping> maps = Procfs.maps(pid);
        for (Mapping m : maps) {
            if (m.executable()) {
                for (ProbePoint p : points) {
                    if (maps(m, p)) {
                        sites.add(new BreakpointWriter.Site(m.addressOf(p.offset()), m, p, null));
                    }
                }
            }
        }
        return semaphores.afterInstall(install(sites, injector), this, maps);
    }

    private List<String> install(List<BreakpointWriter.Site> sites, Injector injector) {
        if (sites.isEmpty()) {
            return List.of();
        }
        List<String> problems = BreakpointWriter.install(this, sites, injector);
        if (areas.isEmpty() && sites.stream().anyMatch(s -> s.point() != null)) {
            mapArea(sites.getFirst().addr(), injector); // emulated probes too need the return trampoline
        }
        return problems;
    }

    private static boolean maps(Mapping m, ProbePoint p) {
        return m.inode() == p.inode() && (m.path().equals(p.file().toString()) || m.path().startsWith(p.file() + " "))
                && m.holdsFileOffset(p.offset());
    }

    /**
     * Breakpoints in code that is no longer mapped (dlclose) are forgotten, and their slots freed: other
     * code may come there, and a thread cannot be in a slot whose code is gone (it would jump back into
     * nothing).
     */
    private void forgetUnmapped(List<Mapping> maps) {
        List<Mapping> sorted = new ArrayList<>(maps);
        sorted.sort(Comparator.comparingLong(Mapping::start));
        long[] starts = sorted.stream().mapToLong(Mapping::start).toArray();
        breakpoints.values().removeIf(bp -> {
            int i = java.util.Arrays.binarySearch(starts, bp.addr);
            i = i >= 0 ? i : -i - 2;
            Mapping m = i >= 0 ? sorted.get(i) : null;
            boolean gone = m == null || !m.contains(bp.addr) || m.inode() != bp.inode || !m.executable();
            if (gone) {
                freeSlot(bp);
            }
            return gone;
        });
        Set<String> live = new HashSet<>();
        for (Mapping m : maps) {
            live.add(m.start() + ":" + m.inode() + ":" + m.offset());
        }
        scanned.retainAll(live);
    }

    /**
     * Takes out the breakpoints of {@code points} (not the runtime hooks sharing an address with one):
     * the original bytes come back and their slots are freed for reuse. {@code threads} are every stopped
     * thread of the process: one inside a freed slot is first moved to where the original code would
     * be, as at a detach.
     */
    void uninstall(Collection<ProbePoint> points, List<StoppedThread> threads) {
        Set<ProbePoint> gone = points instanceof Set<ProbePoint> s ? s : new HashSet<>(points);
        List<Breakpoint> out = new ArrayList<>();
        for (Breakpoint bp : breakpoints.values()) {
            if (bp.point != null && gone.contains(bp.point)) {
                bp.point = null;
                if (bp.hook == null) {
                    out.add(bp);
                }
            }
        }
        BreakpointWriter.restore(this, out);
        Map<Long, Breakpoint> freed = new HashMap<>();
        for (Breakpoint bp : out) {
            if (bp.slot != 0) {
                freed.put(bp.slot, bp);
            }
        }
        if (freed.isEmpty()) {
            return;
        }
        for (StoppedThread t : threads) {
            Disarm.leaveSlots(this, t, freed);
        }
        freed.values().forEach(this::freeSlot);
    }

    private void freeSlot(Breakpoint bp) {
        if (bp.slot != 0 && bySlot.remove(bp.slot, bp)) {
            XolArea a = areaContaining(bp.slot);
            if (a != null) {
                a.free(bp.slot);
            }
        }
    }

    /** Records this process's breakpoints in {@code j} from now on (null: nowhere). */
    void useJournal(BreakpointJournal j) {
        journal = j;
        if (j != null) {
            try {
                startTime = io.probe4j.sys.Procfs.startTime(pid);
            } catch (SysException gone) {
                startTime = -1;
            }
        }
    }

    /** Tells the journal that this process holds none of our breakpoints any more. */
    void journalGone() {
        if (journal != null && owner == this) {
            journal.processGone(pid);
        }
    }

    void closeStats() {
        stats.values().forEach(ThreadStat::close);
        stats.clear();
    }
}
