package io.probe4j.engine.trap;

import io.probe4j.arch.x86_64.Decoder;
import io.probe4j.arch.x86_64.Instruction;
import io.probe4j.arch.x86_64.Probeability;
import io.probe4j.arch.x86_64.Relocator;
import io.probe4j.arch.x86_64.UndecodableException;
import io.probe4j.arch.x86_64.XolPlan;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Puts many breakpoints into one process, or takes them out, with few system calls: thousands of probes
 * must attach and detach in well under a second. Breakpoints in one page are one run: the code of all
 * runs is read with a few {@code process_vm_readv} calls, and each run is written back, its {@code int3}s
 * (or original bytes) in place, with one write; the out-of-line slots filled meanwhile are written
 * area by area in contiguous stretches, before any {@code int3} that leads to them.
 */
final class BreakpointWriter {
    private static final int PAGE = 4096;

    /** A place to put a breakpoint: for a probe point, for a runtime hook, or both. */
    record Site(long addr, Mapping mapping, ProbePoint point, RuntimeHook hook) {
    }

    private BreakpointWriter() {
    }

    /**
     * Installs a breakpoint at every site that has none yet (a site where one is attaches to it). Returns
     * what could not be installed, as messages; the rest is installed.
     */
    static List<String> install(ProcessProbes pp, List<Site> sites, ProcessProbes.Injector injector) {
        List<String> problems = new ArrayList<>();
        List<Site> fresh = new ArrayList<>();
        for (Site s : sites) {
            Breakpoint bp = pp.breakpoints.get(s.addr());
            if (bp != null) {
                attach(bp, s);
            } else {
                fresh.add(s);
            }
        }
        fresh.sort(Comparator.comparingLong(Site::addr));
        List<long[]> runs = runs(fresh.stream().mapToLong(Site::addr).toArray(),
                i -> fresh.get(i).mapping().end(), Decoder.MAX_LENGTH);
        byte[][] code = read(pp.memory, runs);
        TreeMap<Long, byte[]> slots = new TreeMap<>();
        List<Breakpoint> made = new ArrayList<>();
        for (int r = 0; r < runs.size(); r++) {
            long[] run = runs.get(r);
            for (int i = (int) run[2]; i < run[3]; i++) {
                Site s = fresh.get(i);
                if (i > run[2] && s.addr() == fresh.get(i - 1).addr()) { // a point and a hook at one address
                    Breakpoint bp = pp.breakpoints.get(s.addr());
                    if (bp != null) {
                        attach(bp, s);
                    }
                    continue;
                }
                try {
                    Breakpoint bp = make(pp, s, code[r], (int) (s.addr() - run[0]), injector, slots);
                    attach(bp, s);
                    pp.breakpoints.put(s.addr(), bp);
                    made.add(bp);
                } catch (RuntimeException e) {
                    problems.add(s.point() != null ? "cannot probe " + s.point() + " in process " + pp.pid + ": "
                            + e.getMessage() : "cannot watch " + s.hook() + " in process " + pp.pid + ": " + e.getMessage());
                }
            }
        }
        writeStretches(pp.memory, slots);
        if (pp.owner.journal != null) { // write-ahead: recorded before any int3 is written
            made.forEach(bp -> pp.owner.journal.inserting(pp.owner.pid, pp.owner.startTime, bp.addr, bp.original));
        }
        writeRuns(pp.memory, made, runs, code, true);
        for (Breakpoint bp : made) {
            pp.removed.remove(bp.addr);
        }
        return problems;
    }

    /** Puts the original bytes back under {@code bps} (they stop being breakpoints of {@code pp}). */
    static void restore(ProcessProbes pp, Collection<Breakpoint> bps) {
        List<Breakpoint> sorted = new ArrayList<>(bps);
        sorted.sort(Comparator.comparingLong(b -> b.addr));
        List<long[]> runs = runs(sorted.stream().mapToLong(b -> b.addr).toArray(), i -> Long.MAX_VALUE, 1);
        byte[][] code = read(pp.memory, runs);
        writeRuns(pp.memory, sorted, runs, code, false);
        if (pp.owner.journal != null) {
            sorted.forEach(bp -> pp.owner.journal.removed(pp.owner.pid, bp.addr));
        }
        for (Breakpoint bp : sorted) {
            pp.breakpoints.remove(bp.addr);
            pp.removed.add(bp.addr);
        }
    }

    private static void attach(Breakpoint bp, Site s) {
        if (s.point() != null) {
            bp.point = s.point();
        }
        if (s.hook() != null) {
            bp.hook = s.hook();
        }
    }

    private static Breakpoint make(ProcessProbes pp, Site s, byte[] run, int at, ProcessProbes.Injector injector,
                                   TreeMap<Long, byte[]> slots) {
        if (run == null) {
            throw new IllegalStateException("the code at 0x" + Long.toHexString(s.addr()) + " cannot be read");
        }
        long addr = s.addr();
        Instruction insn;
        try {
            insn = Decoder.decode(run, at, run.length, addr);
        } catch (UndecodableException e) {
            throw new IllegalArgumentException("the bytes at 0x" + Long.toHexString(addr) + " are not an instruction: "
                    + e.reason());
        }
        if (Probeability.of(insn) instanceof Probeability.Refused r) {
            throw new IllegalArgumentException("the instruction at 0x" + Long.toHexString(addr) + " (" + insn.hex()
                    + ") cannot be probed: " + r.reason());
        }
        long inode = s.mapping().inode();
        if (Relocator.plan(insn, addr) instanceof XolPlan.Emulate e) {
            return new Breakpoint(addr, run[at], insn, e.emulation(), 0, 0, inode);
        }
        XolArea area = pp.areaWithSlotNear(addr, injector);
        long slot = area.allocate();
        try {
            byte[] bytes = new byte[XolArea.SLOT_SIZE];
            Arrays.fill(bytes, XolArea.INT3);
            XolPlan.OutOfLine a = (XolPlan.OutOfLine) Relocator.plan(insn, slot);
            System.arraycopy(a.code(), 0, bytes, 0, a.code().length);
            long b = slot + XolArea.VARIANT_SIZE;
            byte[] moved = Relocator.relocate(insn, b);
            System.arraycopy(moved, 0, bytes, XolArea.VARIANT_SIZE, moved.length);
            byte[] back = Relocator.jump(b + moved.length + 1, insn.next());
            System.arraycopy(back, 0, bytes, XolArea.VARIANT_SIZE + moved.length + 1, back.length);
            slots.put(slot, bytes);
            Breakpoint bp = new Breakpoint(addr, run[at], insn, null, slot, moved.length, inode);
            pp.bySlot.put(slot, bp);
            return bp;
        } catch (RuntimeException e) {
            area.free(slot);
            throw e;
        }
    }

    /**
     * Groups sorted addresses into runs that lie in one page: {@code {first byte, end, from index, to
     * index}}, the run covering {@code tail} bytes from its last address (but not past {@code limit(i)}).
     */
    private static List<long[]> runs(long[] addrs, java.util.function.IntToLongFunction limit, int tail) {
        List<long[]> runs = new ArrayList<>();
        int i = 0;
        while (i < addrs.length) {
            int j = i + 1;
            while (j < addrs.length && addrs[j] / PAGE == addrs[i] / PAGE) {
                j++;
            }
            long end = Math.min(addrs[j - 1] + tail, limit.applyAsLong(j - 1));
            runs.add(new long[] {addrs[i], end, i, j});
            i = j;
        }
        return runs;
    }

    private static byte[][] read(ProcessMemory memory, List<long[]> runs) {
        long[] at = new long[runs.size()];
        int[] len = new int[runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            at[r] = runs.get(r)[0];
            len[r] = (int) (runs.get(r)[1] - runs.get(r)[0]);
        }
        return memory.readEach(at, len);
    }

    /**
     * Writes each run from its first to its last breakpoint, with {@code int3}s ({@code install}) or the
     * original bytes there; the bytes between are the ones just read.
     */
    private static void writeRuns(ProcessMemory memory, List<Breakpoint> bps, List<long[]> runs, byte[][] code,
                                  boolean install) {
        int k = 0;
        for (int r = 0; r < runs.size(); r++) {
            long start = runs.get(r)[0];
            List<Breakpoint> in = new ArrayList<>();
            while (k < bps.size() && bps.get(k).addr / PAGE == start / PAGE) { // the run ends past its page
                in.add(bps.get(k++));
            }
            if (in.isEmpty()) {
                continue;
            }
            if (code[r] == null) { // a page we could not read: byte by byte
                for (Breakpoint bp : in) {
                    memory.writeForced(bp.addr, new byte[] {install ? XolArea.INT3 : bp.original});
                }
                continue;
            }
            byte[] out = Arrays.copyOf(code[r], (int) (in.getLast().addr - start + 1));
            for (Breakpoint bp : in) {
                out[(int) (bp.addr - start)] = install ? XolArea.INT3 : bp.original;
            }
            memory.writeForced(start, out);
        }
    }

    /** Writes slot contents, one write per stretch of adjacent slots. */
    private static void writeStretches(ProcessMemory memory, TreeMap<Long, byte[]> slots) {
        long start = 0;
        java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
        for (var e : slots.entrySet()) {
            if (run.size() > 0 && e.getKey() != start + run.size()) {
                memory.writeForced(start, run.toByteArray());
                run.reset();
            }
            if (run.size() == 0) {
                start = e.getKey();
            }
            run.writeBytes(e.getValue());
        }
        if (run.size() > 0) {
            memory.writeForced(start, run.toByteArray());
        }
    }
}
