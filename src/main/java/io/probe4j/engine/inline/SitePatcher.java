package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.Trampoline;
import io.probe4j.engine.inline.InlineProcess.Patch;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.sys.ProcessMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes jumps into one process's code and takes them out again, every thread stopped, in batches: an
 * install of a thousand sites is one read, one journal write and a few dozen writes of code, not a
 * few thousand system calls.
 */
final class SitePatcher {
    private final int pid;
    private final ProcessMemory memory;

    SitePatcher(int pid, ProcessMemory memory) {
        this.pid = pid;
        this.memory = memory;
    }

    /**
     * Patches the sites of {@code heads}, every thread stopped, adding each patch made to {@code into};
     * returns, per head, why it was not patched, or null. A thread whose instruction pointer is inside
     * the bytes to replace is first stepped out; the sites' bytes are read in as few calls as the kernel allows and checked, the
     * patches journalled in one write, then written in three passes over all sites: int3 on the first
     * byte, the jump's tail, the first byte (no thread runs meanwhile: only the order at each site matters,
     * the one that keeps a half-written jump impossible to execute).
     */
    String[] patch(List<Trampoline> heads, List<StoppedThread> threads, PatchJournal journal, Map<Long, Patch> into) {
        String[] why = new String[heads.size()];
        java.util.TreeMap<Long, Integer> bySite = new java.util.TreeMap<>();
        for (int i = 0; i < heads.size(); i++) {
            bySite.put(heads.get(i).site(), i);
        }
        java.util.function.LongFunction<Integer> inside = ip -> { // the head whose bytes but the first hold ip
            var e = bySite.lowerEntry(ip);
            return e != null && ip < e.getKey() + heads.get(e.getValue()).original().length ? e.getValue() : null;
        };
        for (StoppedThread th : threads) {
            if (!th.stepWhile(ip -> inside.apply(ip) != null, InlineProcess.MAX_STEPS)) {
                Integer stuck = stuckAt(th, inside);
                if (stuck != null) {
                    why[stuck] = "thread " + th.tid() + " could not be moved out of the bytes to patch";
                }
            }
        }
        long end = Long.MIN_VALUE;
        for (var e : bySite.entrySet()) { // sites apart: each read below must still hold when its patch is written
            if (e.getKey() < end && why[e.getValue()] == null) {
                why[e.getValue()] = String.format("the code at 0x%x is inside another jump's bytes: left alone", e.getKey());
            }
            end = Math.max(end, e.getKey() + heads.get(e.getValue()).original().length);
        }
        long[] sites = new long[heads.size()];
        int[] lengths = new int[heads.size()];
        for (int i = 0; i < heads.size(); i++) {
            sites[i] = heads.get(i).site();
            lengths[i] = heads.get(i).original().length;
        }
        byte[][] now = memory.readEach(sites, lengths);
        List<Patch> made = new ArrayList<>();
        for (int i = 0; i < heads.size(); i++) {
            Trampoline t = heads.get(i);
            if (why[i] == null && !java.util.Arrays.equals(now[i], t.original())) {
                why[i] = String.format("the code at 0x%x is not the file's (patched by someone else?): left alone", t.site());
            }
            if (why[i] == null) {
                made.add(new Patch(t.site(), t.patch(), t.original()));
            }
        }
        journal(journal, pid, made);
        write(made, Patch::patch);
        made.forEach(p -> into.put(p.site(), p));
        return why;
    }

    /** The head whose bytes hold a thread that could not be stepped out of them; null when it ended. */
    private static Integer stuckAt(StoppedThread th, java.util.function.LongFunction<Integer> inside) {
        try {
            return inside.apply(th.regs().ip());
        } catch (RuntimeException ended) {
            return null;
        }
    }

    /** {@code these} patches of process {@code pid} written down, in one write. */
    static void journal(PatchJournal journal, int pid, List<Patch> these) {
        if (these.isEmpty()) {
            return;
        }
        long[] sites = new long[these.size()];
        byte[][] originals = new byte[these.size()][];
        byte[][] patched = new byte[these.size()][];
        for (int i = 0; i < sites.length; i++) {
            sites[i] = these.get(i).site();
            originals[i] = these.get(i).original();
            patched[i] = these.get(i).patch();
        }
        journal.patching(pid, sites, originals, patched);
    }

    /**
     * At each site of {@code these}, {@code bytes} of it: int3 over the first byte of every site, then the
     * rest of every site, then every first byte. No thread can run a half-written jump. Sites close
     * together share their writes: a run of them is read once and written whole at each step (with the
     * bytes between them as they are; every thread is stopped), so a thousand sites cost a few dozen
     * writes, and no page without a site is written (it would stop being shared with the file).
     */
    void write(List<Patch> these, java.util.function.Function<Patch, byte[]> bytes) {
        List<List<Patch>> runs = runs(these);
        byte[][] now = read(runs);
        if (java.util.Arrays.asList(now).contains(null)) { // a run over a hole between two mappings: site by site
            runs = these.stream().map(List::of).toList();
            now = read(runs);
        }
        for (int step = 0; step < 3; step++) {
            for (int k = 0; k < runs.size(); k++) {
                long from = runs.get(k).getFirst().site();
                for (Patch p : runs.get(k)) {
                    byte[] b = bytes.apply(p);
                    int at = (int) (p.site() - from);
                    switch (step) {
                        case 0 -> now[k][at] = (byte) 0xcc;
                        case 1 -> System.arraycopy(b, 1, now[k], at + 1, b.length - 1);
                        default -> now[k][at] = b[0];
                    }
                }
                memory.writeForced(from, now[k]);
            }
        }
    }

    /** Each run's bytes, from its first site to the end of its last; null where they cannot be read. */
    private byte[][] read(List<List<Patch>> runs) {
        long[] from = new long[runs.size()];
        int[] lengths = new int[runs.size()];
        for (int k = 0; k < from.length; k++) {
            from[k] = runs.get(k).getFirst().site();
            lengths[k] = (int) (end(runs.get(k).getLast()) - from[k]);
        }
        return memory.readEach(from, lengths);
    }

    /** The most bytes one write of {@link #write} covers. */
    private static final int MAX_RUN = 64 * 1024;

    /**
     * {@code these} by address, in runs: a site starts a new run when it is a page or more past the end of
     * the one before (pages between would be written) or the run would grow past {@link #MAX_RUN}.
     */
    private static List<List<Patch>> runs(List<Patch> these) {
        List<Patch> sorted = new ArrayList<>(these);
        sorted.sort(java.util.Comparator.comparingLong(Patch::site));
        List<List<Patch>> runs = new ArrayList<>();
        for (Patch p : sorted) {
            List<Patch> last = runs.isEmpty() ? null : runs.getLast();
            if (last == null || p.site() - end(last.getLast()) >= InlineProcess.PAGE || end(p) - last.getFirst().site() > MAX_RUN) {
                runs.add(new ArrayList<>());
            }
            runs.getLast().add(p);
        }
        return runs;
    }

    private static long end(Patch p) {
        return p.site() + p.patch().length;
    }
}
