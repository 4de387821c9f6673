package io.probe4j.engine.trap;

import io.probe4j.arch.x86_64.Decoder;
import io.probe4j.arch.x86_64.Instruction;
import io.probe4j.arch.x86_64.Probeability;
import io.probe4j.arch.x86_64.Relocator;
import io.probe4j.arch.x86_64.XolPlan;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.SysException;
import java.util.ArrayList;
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
    /** The USDT semaphores probe4j incremented in this address space. */
    final Semaphores semaphores;
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

    /** An area within reach of {@code addr}, mapped now if none is. */
    XolArea areaNear(long addr, Injector injector) {
        for (XolArea a : areas) {
            if (a.reaches(addr)) {
                return a;
            }
        }
        long start = injector.mmapNear(addr, XolArea.SIZE, "probe4j-xol");
        XolArea a = new XolArea(start);
        memory.writeForced(start, new byte[] {XolArea.INT3});
        areas.add(a);
        return a;
    }

    /**
     * Looks at the executable file mappings not seen yet (and forgets breakpoints whose code was
     * unmapped) and installs every point that falls into them, and the {@link RuntimeHook}s. Returns what could not be installed, as messages.
     */
    List<String> scan(List<ProbePoint> points, RuntimeHooks hooks, Injector injector) {
        List<Mapping> maps = Procfs.maps(pid);
        forgetUnmapped(maps);
        List<String> problems = new ArrayList<>();
        for (Mapping m : maps) {
            if (!m.executable() || m.inode() == 0 || !scanned.add(m.start() + ":" + m.inode() + ":" + m.offset())) {
                continue;
            }
            for (ProbePoint p : points) {
                if (maps(m, p)) {
                    try {
                        install(p, m, injector);
                    } catch (RuntimeException e) {
                        problems.add("cannot probe " + p + " in process " + pid + ": " + e.getMessage());
                    }
                }
            }
            for (RuntimeHooks.Place h : hooks.placesIn(m)) {
                if (h.fileOffset() >= m.offset() && h.fileOffset() < m.offset() + (m.end() - m.start())) {
                    try {
                        installAt(m.addressOf(h.fileOffset()), m, injector).hook = h.hook();
                    } catch (RuntimeException e) {
                        problems.add("cannot watch " + h.hook() + " in process " + pid + ": " + e.getMessage());
                    }
                }
            }
        }
        problems.addAll(semaphores.sync(this, maps));
        return problems;
    }

    /** Installs {@code p} in every current mapping of its file (for a point added while running). */
    List<String> installEverywhere(ProbePoint p, Injector injector) {
        List<String> problems = new ArrayList<>();
        for (Mapping m : Procfs.maps(pid)) {
            if (m.executable() && maps(m, p)) {
                try {
                    install(p, m, injector);
                } catch (RuntimeException e) {
                    problems.add("cannot probe " + p + " in process " + pid + ": " + e.getMessage());
                }
            }
        }
        problems.addAll(semaphores.sync(this));
        return problems;
    }

    private static boolean maps(Mapping m, ProbePoint p) {
        return m.inode() == p.inode() && (m.path().equals(p.file().toString()) || m.path().startsWith(p.file() + " "))
                && p.offset() >= m.offset() && p.offset() < m.offset() + (m.end() - m.start());
    }

    private void install(ProbePoint p, Mapping m, Injector injector) {
        long addr = m.addressOf(p.offset());
        installAt(addr, m, injector).point = p;
        areaNear(addr, injector); // also for an emulated instruction: the area holds the return trampoline
    }

    private Breakpoint installAt(long addr, Mapping m, Injector injector) {
        Breakpoint bp = breakpoints.get(addr);
        if (bp != null) {
            return bp;
        }
        byte[] code = memory.readForced(addr, (int) Math.min(Decoder.MAX_LENGTH, m.end() - addr));
        Instruction insn = Decoder.decode(code, addr);
        if (Probeability.of(insn) instanceof Probeability.Refused r) {
            throw new IllegalArgumentException("the instruction at 0x" + Long.toHexString(addr) + " (" + insn.hex()
                    + ") cannot be probed: " + r.reason());
        }
        Breakpoint made;
        if (Relocator.plan(insn, addr) instanceof XolPlan.Emulate e) {
            made = new Breakpoint(addr, code[0], insn, e.emulation(), 0, 0, m.inode());
        } else {
            XolArea area = areaNear(addr, injector);
            long slot = area.allocate();
            if (slot < 0) {
                throw new IllegalStateException("no free XOL slot left near 0x" + Long.toHexString(addr));
            }
            byte[] bytes = new byte[XolArea.SLOT_SIZE];
            java.util.Arrays.fill(bytes, XolArea.INT3);
            XolPlan.OutOfLine a = (XolPlan.OutOfLine) Relocator.plan(insn, slot);
            System.arraycopy(a.code(), 0, bytes, 0, a.code().length);
            long b = slot + XolArea.VARIANT_SIZE;
            byte[] moved = Relocator.relocate(insn, b);
            System.arraycopy(moved, 0, bytes, XolArea.VARIANT_SIZE, moved.length);
            byte[] back = Relocator.jump(b + moved.length + 1, insn.next());
            System.arraycopy(back, 0, bytes, XolArea.VARIANT_SIZE + moved.length + 1, back.length);
            memory.writeForced(slot, bytes);
            made = new Breakpoint(addr, code[0], insn, null, slot, moved.length, m.inode());
            bySlot.put(slot, made);
        }
        memory.writeForced(addr, new byte[] {XolArea.INT3});
        breakpoints.put(addr, made);
        removed.remove(addr);
        return made;
    }

    /** Breakpoints in code that is no longer mapped (dlclose) are forgotten: other code may come there. */
    private void forgetUnmapped(List<Mapping> maps) {
        breakpoints.values().removeIf(bp -> {
            for (Mapping m : maps) {
                if (m.contains(bp.addr)) {
                    return m.inode() != bp.inode || !m.executable();
                }
            }
            return true;
        });
        scanned.removeIf(key -> {
            String[] f = key.split(":");
            long start = Long.parseLong(f[0]);
            for (Mapping m : maps) {
                if (m.start() == start && m.inode() == Long.parseLong(f[1]) && m.offset() == Long.parseLong(f[2])) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Puts the original byte back at every breakpoint of {@code p} (not at the rendezvous hook); returns what failed. */
    List<String> uninstall(ProbePoint p) {
        for (Breakpoint bp : List.copyOf(breakpoints.values())) {
            if (bp.point == p) {
                bp.point = null;
                if (bp.hook == null) {
                    restore(bp);
                }
            }
        }
        return semaphores.sync(this);
    }

    void restore(Breakpoint bp) {
        memory.writeForced(bp.addr, new byte[] {bp.original});
        breakpoints.remove(bp.addr);
        removed.add(bp.addr);
    }

    void closeStats() {
        stats.values().forEach(ThreadStat::close);
        stats.clear();
    }
}
