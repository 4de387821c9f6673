package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.ReturnTrampolines;
import io.probe4j.arch.x86_64.Trampoline;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.arch.x86_64.Trampolines;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.ReturnStacks;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inline engine in one address space: the rings mapped from the shared memfd, the return stacks,
 * the trampoline areas (one near each probed mapping, each with a read-only page holding the process
 * id; one area for every exit trampoline), the patched sites and the fault table. A fork child starts
 * as a copy ({@link #forkChild}): its memory is a copy, the rings are shared.
 */
final class InlineProcess {
    static final long PAGE = 4096;
    private static final int SYS_OPENAT = 257, SYS_CLOSE = 3, SYS_MMAP = 9;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10,
            MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, O_RDWR = 2, AT_FDCWD = -100;
    /** Single steps allowed to leave a trampoline at detach (the ring-full wait can take more: then it is reported). */
    static final int MAX_STEPS = 100_000;

    /** Told where each probe went. */
    interface Placed {
        void at(int pid, int event, long address);
    }

    record Patch(long site, byte[] patch, byte[] original) {
    }

    private record Area(long start, long size) {
        boolean contains(long a) {
            return a >= start && a < start + size;
        }
    }

    final int pid;
    final ProcessMemory memory;
    private TrampolineGenerator.ThreadLayout thread;
    private long rings;
    private long stacks;
    private long exitsFrom;
    private long exitsTo;
    private final List<Area> areas;
    /** Pages holding the process id, one per area: a fork child gets its own id written there, a vfork child an entry. */
    private final PidPages pidPages;
    private final Map<Long, Patch> patches;
    private final Map<Long, Long> fixups;
    /** Probes already installed, by the start of the mapping they are in. */
    private final Set<Installed> done;

    private record Installed(long mappingStart, int event) {
        // its own: a record's are linked through method handles, which a cold JVM interprets, for each of a
        // thousand probes
        @Override
        public boolean equals(Object o) {
            return o instanceof Installed i && mappingStart == i.mappingStart && event == i.event;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(mappingStart) * 31 + event;
        }
    }
    /** The breakpoint where a static executable is patched, or null. */
    private StartStop startStop;
    /** Return addresses put back while an exception unwinds, by the thread's control block ({@link HijackedReturns#putBack}). */
    private final Map<Long, Map<Long, long[]>> unwinding = new HashMap<>();
    /** The trampolines' templates: one generation per kind, a copy per site. */
    private final Trampolines trampolines;

    InlineProcess(int pid, ProcessMemory memory) {
        this.pid = pid;
        this.memory = memory;
        this.areas = new ArrayList<>();
        this.pidPages = new PidPages(pid, memory);
        this.patches = new HashMap<>();
        this.fixups = new HashMap<>();
        this.done = new HashSet<>();
        this.trampolines = new Trampolines();
    }

    private InlineProcess(int pid, ProcessMemory memory, InlineProcess parent) {
        this.pid = pid;
        this.memory = memory;
        this.thread = parent.thread;
        this.rings = parent.rings;
        this.stacks = parent.stacks;
        this.exitsFrom = parent.exitsFrom;
        this.exitsTo = parent.exitsTo;
        this.areas = new ArrayList<>(parent.areas);
        this.pidPages = parent.pidPages.forkChild(pid, memory);
        this.patches = new HashMap<>(parent.patches);
        this.fixups = new HashMap<>(parent.fixups);
        this.done = new HashSet<>(parent.done);
        this.trampolines = parent.trampolines;
    }

    /** A fork child's copy: same addresses, its own pid in its copy of the pid pages. */
    InlineProcess forkChild(int childPid, ProcessMemory childMemory, PatchJournal journal) {
        InlineProcess c = new InlineProcess(childPid, childMemory, this);
        SitePatcher.journal(journal, childPid, List.copyOf(patches.values()));
        if (startStop != null) {
            c.startStop = startStop.inChild(childPid, journal);
        }
        return c;
    }

    /** The pid pages: where a vfork child's id goes. */
    PidPages pidPages() {
        return pidPages;
    }

    boolean patched() {
        return !patches.isEmpty();
    }

    /** Where a fault at {@code ip} continues, or -1 when {@code ip} is not a load of a trampoline. */
    long fixupFor(long ip) {
        return fixups.getOrDefault(ip, -1L);
    }

    boolean inTrampoline(long ip) {
        for (Area a : areas) {
            if (a.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Installs every probe of {@code probes} whose file {@code maps} shows mapped and that is not in yet;
     * {@code threads} are every thread of the process, stopped. Returns what could not be done, as
     * messages; nothing at all while the C library has not set up the first thread (call again later).
     */
    List<String> install(List<InlineProbe> probes, List<Mapping> maps, List<StoppedThread> threads, Remote remote,
            RingMapping shared, PatchJournal journal, Placed placed) {
        forgetUnmapped(maps);
        Map<Mapping, List<InlineProbe>> todo = todo(probes, maps);
        io.probe4j.sys.Phase.mark("todo");
        if (todo.isEmpty()) {
            return List.of();
        }
        if (thread == null) {
            var found = ThreadIdentity.find(threads, memory);
            if (found.isEmpty()) {
                return List.of(); // before the loader made the thread pointer: at the next library load
            }
            thread = found.get();
        }
        return install(probes, todo, threads, remote, shared, journal, placed);
    }

    /**
     * Forgets the probes of code no longer mapped (dlclose): if the library comes back, even at the same
     * place, its fresh code gets patched again.
     */
    private void forgetUnmapped(List<Mapping> maps) {
        java.util.TreeMap<Long, Mapping> code = new java.util.TreeMap<>(); // by start: a thousand sites, hundreds of mappings
        for (Mapping m : maps) {
            if (m.executable()) {
                code.put(m.start(), m);
            }
        }
        done.removeIf(key -> !code.containsKey(key.mappingStart()));
        patches.keySet().removeIf(site -> {
            var m = code.floorEntry(site);
            return m == null || !m.getValue().contains(site);
        });
    }

    /** Whether a probe's file is mapped and the probe not installed there (what was unmapped is forgotten first). */
    boolean pending(List<InlineProbe> probes, List<Mapping> maps) {
        forgetUnmapped(maps);
        return !todo(probes, maps).isEmpty();
    }

    private Map<Mapping, List<InlineProbe>> todo(List<InlineProbe> probes, List<Mapping> maps) {
        Map<Long, List<InlineProbe>> byInode = new HashMap<>(); // not every probe against every mapping: 1,000 x 400
        for (InlineProbe p : probes) {
            byInode.computeIfAbsent(p.inode(), k -> new ArrayList<>()).add(p);
        }
        Map<Mapping, List<InlineProbe>> todo = new HashMap<>();
        for (Mapping m : maps) {
            if (!m.executable() || m.inode() == 0) {
                continue;
            }
            List<InlineProbe> here = new ArrayList<>(); // the mapping (a record) hashed once, not once a probe
            for (InlineProbe p : byInode.getOrDefault(m.inode(), List.of())) {
                if (m.path().equals(p.file().toString()) && p.fileOffset() >= m.offset()
                        && p.fileOffset() < m.offset() + (m.end() - m.start()) && !done.contains(new Installed(m.start(), p.event()))) {
                    here.add(p);
                }
            }
            if (!here.isEmpty()) {
                todo.put(m, here);
            }
        }
        return todo;
    }

    private List<String> install(List<InlineProbe> probes, Map<Mapping, List<InlineProbe>> todo, List<StoppedThread> threads,
            Remote remote, RingMapping shared, PatchJournal journal, Placed placed) {
        if (rings == 0) {
            stacks = remote.syscall("mmap", "mapping the return stacks", SYS_MMAP, 0, ReturnStacks.size(),
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            rings = mapRings(shared, remote);
        }
        io.probe4j.sys.Phase.mark("rings mapped");
        int returns = (int) probes.stream().filter(InlineProbe::isReturn).count();
        if (returns > 0 && exitsFrom == 0) {
            exitsFrom = remote.mmapNear(todo.keySet().iterator().next().start(), (returns + 1) * PAGE, "probe4j-inline-exits");
            exitsTo = exitsFrom + returns * PAGE;
            areas.add(new Area(exitsFrom, (returns + 1) * PAGE));
            pidPages.add(exitsTo);
        }
        TrampolineGenerator.Rings ringsHere = new TrampolineGenerator.Rings(rings, shared.layout());
        ReturnTrampolines.Stacks stacksHere = new ReturnTrampolines.Stacks(stacks, exitsFrom, exitsTo);
        int[] returnEvents = probes.stream().filter(InlineProbe::isReturn).mapToInt(InlineProbe::event).sorted().toArray();
        List<Chain> chains = new ArrayList<>();
        for (Map.Entry<Mapping, List<InlineProbe>> e : todo.entrySet()) {
            Mapping m = e.getKey();
            for (Chain c : generate(m, e.getValue(), returnEvents, ringsHere, stacksHere, remote)) {
                c.probes().forEach(p -> done.add(new Installed(m.start(), p.event())));
                chains.add(c);
            }
        }
        io.probe4j.sys.Phase.mark("generated");
        String[] why = new SitePatcher(pid, memory).patch(chains.stream().map(Chain::head).toList(), threads, journal, patches);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            for (InlineProbe p : chains.get(i).probes()) {
                if (why[i] != null) {
                    problems.add(p + " in process " + pid + ": " + why[i]);
                } else {
                    placed.at(pid, p.event(), chains.get(i).head().site());
                }
            }
        }
        return problems;
    }

    /** The rings: the JVM's memfd opened in the process through /proc, mapped by the layout's pieces, closed. */
    private long mapRings(RingMapping shared, Remote remote) {
        RingLayout layout = shared.layout();
        String path = shared.file().procPath();
        byte[] cpath = (path + "\0").getBytes(StandardCharsets.US_ASCII);
        memory.write(stacks, cpath); // the stacks are empty yet: scratch for the path
        long fd = remote.syscall("openat", "opening " + path, SYS_OPENAT, AT_FDCWD, stacks, O_RDWR, 0);
        memory.write(stacks, new byte[cpath.length]);
        try {
            long base = remote.syscall("mmap", "reserving room for the rings", SYS_MMAP, 0, layout.virtualSize(), 0,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            // populated now, at attach: the first lap of each ring would otherwise take a page fault every 4
            // KiB in the program's hits (about 10 µs each on a VM: a kept record cost 220-260 ns, not 120)
            for (RingLayout.Piece p : layout.pieces()) {
                remote.syscall("mmap", "mapping the rings", SYS_MMAP, base + p.offset(), p.length(), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, p.fileOffset());
            }
            return base;
        } finally {
            remote.syscall("close", "closing the rings' descriptor", SYS_CLOSE, fd);
        }
    }

    /** The order of the trampolines chained at one site: entry probes first, then by event. */
    private static final java.util.Comparator<Here> CHAIN_ORDER = java.util.Comparator.comparing((Here h) -> h.probe().isReturn())
            .thenComparingInt(h -> h.probe().event());

    /**
     * The probes at one address and what patches it: a jump to the first trampoline (its code, the
     * site's patch and original bytes, the faults of every trampoline of the chain).
     */
    private record Chain(List<InlineProbe> probes, Trampoline head) {
    }

    /** Bytes left free after each trampoline's bound: a safety margin (see {@link #size}). */
    private static final int SLACK = 16;

    /** What a probe needs to make its trampolines in one mapping: its site there, its file delta, its exit's page. */
    private record Here(InlineProbe probe, JumpSite.Patchable site, long fileDelta, long exit) {
    }

    /**
     * The trampolines of {@code these} (probes of mapping {@code m}), in an area mapped near it and written
     * in one write; return probes' exit trampolines go to their page of the exits area. Probes at one
     * address are chained: entry probes in event order, then the return probe; each trampoline but the
     * last runs, instead of the displaced instructions, a jump to the next. Each trampoline is made once,
     * at its place: the area is sized from bounds on their sizes ({@link #size}), and the trampolines packed one
     * after the other, the last of each chain first (the others jump to it).
     */
    private List<Chain> generate(Mapping m, List<InlineProbe> these, int[] returnEvents,
            TrampolineGenerator.Rings ringsHere, ReturnTrampolines.Stacks stacksHere, Remote remote) {
        Map<Long, List<Here>> byAddress = new java.util.LinkedHashMap<>();
        long near = m.addressOf(these.getFirst().fileOffset());
        long size = 0;
        for (InlineProbe p : these) {
            long runtime = m.addressOf(p.fileOffset());
            long exit = p.isReturn() ? exitsFrom + java.util.Arrays.binarySearch(returnEvents, p.event()) * PAGE : 0;
            Here h = new Here(p, p.siteAt(runtime), runtime - p.fileOffset(), exit);
            byAddress.computeIfAbsent(p.fileOffset(), k -> new ArrayList<>()).add(h);
            size += (size(h, near + (1 << 20), ringsHere, stacksHere) + SLACK + 15) & -16;
        }
        for (List<Here> g : byAddress.values()) {
            if (g.size() > 1) {
                g.sort(CHAIN_ORDER);
            }
        }
        long codeSize = (size + PAGE - 1) & -PAGE;
        long area = remote.mmapNear(near, codeSize + PAGE, "probe4j-inline");
        areas.add(new Area(area, codeSize + PAGE));
        long pidWord = area + codeSize;
        pidPages.add(pidWord);
        byte[] code = new byte[(int) codeSize];
        int used = 0;
        List<Chain> out = new ArrayList<>();
        for (List<Here> g : byAddress.values()) {
            Trampoline next = null;
            List<Trampoline.FaultFixup> faults = new ArrayList<>();
            for (int i = g.size() - 1; i >= 0; i--) {
                Here h = g.get(i);
                Trampoline t = entry(h, next == null ? null : next.address(), area + used, pidWord, ringsHere, stacksHere);
                if (used + t.code().length > code.length) {
                    throw new IllegalStateException("the trampolines of " + m.path() + " grew past their area");
                }
                System.arraycopy(t.code(), 0, code, used, t.code().length);
                used = (used + t.code().length + 15) & -16;
                faults.addAll(t.faults());
                next = next == null ? t : new Trampoline(t.address(), t.code(), t.site(), jumpTo(next, t.address()),
                        next.original(), List.of(), "");
            }
            faults.forEach(f -> fixups.put(f.load(), f.fixup()));
            List<InlineProbe> chained = new ArrayList<>(g.size()); // a loop, not a stream: a thousand sites in a cold JVM
            for (Here h : g) {
                chained.add(h.probe());
            }
            out.add(new Chain(chained, next));
        }
        memory.writeForced(area, java.util.Arrays.copyOf(code, used));
        return out;
    }

    /**
     * At least the size of {@code h}'s trampoline, from its kind's template ({@link Trampolines#entryBound})
     * made up near the real place (the first of a kind is generated there): a chained trampoline's jump
     * to the next, in place of the displaced instructions, is never longer than they are. The trampolines
     * are packed by their real sizes; the area's unused end is never touched.
     */
    private int size(Here h, long at, TrampolineGenerator.Rings ringsHere, ReturnTrampolines.Stacks stacksHere) {
        if (!h.probe().isReturn()) {
            return trampolines.entryBound(at, probe(h, at), ringsHere, thread);
        }
        return trampolines.returnEntryBound(at, h.site(), h.exit(), stacksHere);
    }

    private static TrampolineGenerator.Probe probe(Here h, long pidWord) {
        return new TrampolineGenerator.Probe(h.site(), h.probe().layout(), h.fileDelta(), !h.probe().atFunction(), pidWord);
    }

    /** {@code last}'s patch (a jump and int3s over the whole site), jumping to {@code target} instead. */
    private static byte[] jumpTo(Trampoline last, long target) {
        byte[] b = last.patch().clone();
        int rel = (int) (target - (last.site() + 5));
        for (int i = 0; i < 4; i++) {
            b[1 + i] = (byte) (rel >>> (8 * i));
        }
        return b;
    }

    /**
     * The entry trampoline of {@code h} at {@code at}, going on to {@code then} (null: the displaced
     * instructions); for a return probe its exit trampoline is written too.
     */
    private Trampoline entry(Here h, Long then, long at, long pidWord, TrampolineGenerator.Rings ringsHere,
            ReturnTrampolines.Stacks stacksHere) {
        Here here = then == null ? h : new Here(h.probe(), chained(h.site().address(), then), h.fileDelta(), h.exit());
        if (!h.probe().isReturn()) {
            return trampolines.entry(at, probe(here, pidWord), ringsHere, thread);
        }
        ReturnTrampolines.Exit exit = trampolines.exit(h.exit(), new TrampolineGenerator.Probe(here.site(), h.probe().layout(),
                h.fileDelta(), false, exitsTo), ringsHere, thread, stacksHere);
        memory.writeForced(h.exit(), exit.code());
        exit.faults().forEach(f -> fixups.put(f.load(), f.fixup()));
        return trampolines.returnEntry(at, here.site(), h.exit(), stacksHere);
    }

    /** A site whose only "displaced instruction" is a jump to {@code then}: the next trampoline of a chain. */
    private static JumpSite.Patchable chained(long site, long then) {
        int rel = (int) (then - (site + 5));
        byte[] jmp = {(byte) 0xe9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
        return new JumpSite.Patchable(site, List.of(io.probe4j.arch.x86_64.Decoder.decode(jmp, site)));
    }

    /** Waits for the C library to set up the thread at {@code at} (a static executable): see {@link StartStop}. */
    void armStart(long at, PatchJournal journal) {
        startStop = StartStop.arm(pid, memory, at, journal);
    }

    /** Whether {@code at} is that breakpoint. */
    boolean startsAt(long at) {
        return startStop != null && startStop.address == at;
    }

    /** That breakpoint's byte back, if it is in. */
    void disarmStart() {
        if (startStop != null) {
            startStop.disarm(memory);
            startStop = null;
        }
    }

    /** A thread of this process, whose control block is {@code block}, is ending: its return stack is emptied. */
    void threadEnding(long block) {
        unwinding.remove(block);
        if (stacks != 0) {
            HijackedReturns.threadEnded(memory, stacks, block);
        }
    }

    /** The thread with control block {@code block} starts an exception unwind: its hijacked return addresses are put back. */
    void unwindStarts(long block) {
        if (exitsFrom != 0 && block != 0) {
            unwinding.computeIfAbsent(block, b -> new HashMap<>())
                    .putAll(HijackedReturns.putBack(memory, stacks, block, exitsFrom, exitsTo));
        }
    }

    /** That thread's unwind ended in a handler whose frame runs at {@code sp}: the frames that stay are hijacked again. */
    void caught(long block, long sp) {
        if (exitsFrom != 0 && block != 0) {
            HijackedReturns.caught(memory, stacks, block, sp, unwinding.getOrDefault(block, Map.of()));
            unwinding.remove(block);
        }
    }

    /**
     * The file's bytes back at {@code site} (every thread stopped), if the jump there is still this
     * process's; the trampoline stays mapped, for threads inside it. Nothing else changes: the probes
     * chained at the site are gone together.
     */
    List<String> unpatch(long site) {
        Patch p = patches.remove(site);
        if (p == null) {
            return List.of();
        }
        if (putBack(List.of(p)) < 1) {
            return List.of(String.format("the code at 0x%x of process %d is no longer the inline engine's jump: left as it is",
                    site, pid));
        }
        return List.of();
    }

    /** The original bytes back at each of {@code these} that still holds its jump (every thread stopped); how many did. */
    private int putBack(List<Patch> these) {
        byte[][] now = memory.readEach(these.stream().mapToLong(Patch::site).toArray(),
                these.stream().mapToInt(p -> p.patch().length).toArray());
        List<Patch> back = new ArrayList<>();
        for (int i = 0; i < these.size(); i++) {
            if (java.util.Arrays.equals(now[i], these.get(i).patch())) {
                back.add(these.get(i));
            }
        }
        new SitePatcher(pid, memory).write(back, Patch::original);
        return back.size();
    }

    /**
     * Takes the engine out, every thread stopped: threads inside a trampoline are stepped out of it,
     * every site gets its bytes back, every return address an exit trampoline holds gets its own back.
     * The areas and stacks stay mapped, unused (a signal handler's saved context may still point into a
     * trampoline). So does the rings' address space, but not their memory: fresh private pages are mapped
     * over it, and the shared pages (64 MiB and more, populated at attach) go back to the system once this
     * JVM lets go of them too. A trampoline that somehow ran on would write a record nobody reads.
     * Returns problems, as messages.
     */
    List<String> restore(List<StoppedThread> threads, Remote remote, RingMapping shared) {
        disarmStart();
        List<String> problems = new ArrayList<>();
        for (StoppedThread th : threads) {
            if (!th.stepWhile(this::inTrampoline, MAX_STEPS)) {
                problems.add("thread " + th.tid() + " of process " + pid + " is still inside a trampoline");
            }
        }
        putBack(List.copyOf(patches.values()));
        patches.clear();
        if (exitsFrom != 0) {
            HijackedReturns.restore(memory, stacks, exitsFrom, exitsTo);
        }
        if (rings != 0) {
            try {
                remote.syscall("mmap", "releasing the rings", SYS_MMAP, rings, shared.layout().virtualSize(), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
            } catch (RuntimeException e) {
                problems.add("process " + pid + " keeps the rings' memory mapped: " + e.getMessage());
            }
        }
        return problems;
    }
}
