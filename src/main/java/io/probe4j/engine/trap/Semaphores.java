package io.probe4j.engine.trap;

import io.probe4j.error.UserException;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ProgramHeader;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * USDT semaphores in one address space, kept as the kernel keeps them for a uprobe with a reference
 * counter ({@code PATH:OFFSET(REF_CTR)}, {@code update_ref_ctr} in {@code kernel/events/uprobes.c}): a
 * program guards an expensive probe with a 16-bit counter in its writable data and fires the probe only
 * while the counter is not zero. Each breakpoint of a point with a semaphore adds one to the counter
 * (found through the first writable private mapping of the point's file that holds the offset, as the
 * kernel's {@code find_ref_ctr_vma} finds it), and taking the breakpoint out takes the one away again;
 * a counter would go below zero is left alone, as the kernel leaves it.
 *
 * <p>Rather than follow every way a breakpoint comes and goes, {@link #sync} compares the breakpoints with
 * the increments made and settles the difference: a counter whose data is not mapped yet is counted at the
 * next sync after it is (the kernel's delayed increment at {@code mmap}); one whose mapping is gone
 * (dlclose, exec) is forgotten. A fork child's memory is a copy, so it starts with a {@link #copy} of the
 * increments, as the kernel's child inherits the incremented value; at the child's detach they are taken
 * out like the parent's.
 */
public final class Semaphores {
    /** One increment: for the breakpoint at {@code breakpoint} of {@code point}, the counter at {@code counter}. */
    private record Count(long breakpoint, ProbePoint point, long counter, long inode) {
    }

    private final List<Count> counts;

    Semaphores() {
        this(new ArrayList<>());
    }

    private Semaphores(List<Count> counts) {
        this.counts = counts;
    }

    /** The increments of a fork child: its memory is a copy of the parent's, counters included. */
    Semaphores copy() {
        return new Semaphores(new ArrayList<>(counts));
    }

    /**
     * {@code offset} when it can be a semaphore of {@code elf}: two bytes of file data in a writable loaded
     * segment; a {@link UserException} otherwise.
     */
    public static long checkOffset(ElfFile elf, long offset) {
        for (ProgramHeader ph : elf.loadSegments()) {
            if ((ph.flags() & ProgramHeader.PF_W) != 0 && ph.containsOffset(offset) && ph.containsOffset(offset + 1)) {
                return offset;
            }
        }
        throw new UserException(String.format("%s: reference counter (semaphore) offset 0x%x is not in the file's "
                + "writable data, where a USDT semaphore is", elf.path(), offset));
    }

    /** {@code problems} (of installing breakpoints), and those of the {@link #sync} that follows. */
    List<String> afterInstall(List<String> problems, ProcessProbes pp, List<Mapping> maps) {
        List<String> more = sync(pp, maps);
        if (more.isEmpty()) {
            return problems;
        }
        List<String> all = new ArrayList<>(problems);
        all.addAll(more);
        return all;
    }

    /** As {@link #sync(ProcessProbes, List)}, reading the process's mappings now. */
    List<String> sync(ProcessProbes pp) {
        List<Mapping> maps;
        try {
            maps = Procfs.maps(pp.pid);
        } catch (RuntimeException e) {
            return counts.isEmpty() ? List.of() : List.of("cannot read the mappings of process " + pp.pid
                    + " to update USDT semaphores: " + e.getMessage());
        }
        return sync(pp, maps);
    }

    /**
     * Adds one to the semaphore of each breakpoint in {@code pp} whose point has one and is not counted yet,
     * and takes one away for each increment whose breakpoint is gone. Returns what failed, as messages.
     */
    List<String> sync(ProcessProbes pp, List<Mapping> maps) {
        List<String> problems = new ArrayList<>();
        for (Iterator<Count> it = counts.iterator(); it.hasNext(); ) {
            Count c = it.next();
            Breakpoint bp = pp.breakpoints.get(c.breakpoint());
            if (bp != null && bp.point == c.point()) {
                continue;
            }
            it.remove();
            if (stillMapped(maps, c)) {
                add(pp, c.point(), c.counter(), -1, problems);
            }
            journal(pp, j -> j.semaphoreDecremented(pp.owner.pid, c.counter())); // taken back, or gone with its mapping
        }
        for (Breakpoint bp : pp.breakpoints.values()) {
            ProbePoint p = bp.point;
            if (p == null || p.refCtrOffset() < 0 || counted(bp.addr, p)) {
                continue;
            }
            Mapping m = counterMapping(maps, p);
            if (m == null) {
                continue; // its data is not mapped yet: counted at a later sync
            }
            long at = m.addressOf(p.refCtrOffset());
            journal(pp, j -> j.semaphoreIncrementing(pp.owner.pid, pp.owner.startTime, at)); // write-ahead
            if (add(pp, p, at, 1, problems)) {
                counts.add(new Count(bp.addr, p, at, m.inode()));
            } else {
                journal(pp, j -> j.semaphoreDecremented(pp.owner.pid, at));
            }
        }
        return problems;
    }

    /** Records the increments of a fork child, whose memory holds them as a copy of its parent's. */
    void journalCopy(int childPid, long childStart, BreakpointJournal journal) {
        counts.forEach(c -> journal.semaphoreIncrementing(childPid, childStart, c.counter()));
    }

    private static void journal(ProcessProbes pp, Consumer<BreakpointJournal> line) {
        if (pp.owner.journal != null) {
            line.accept(pp.owner.journal);
        }
    }

    private boolean counted(long breakpoint, ProbePoint p) {
        for (Count c : counts) {
            if (c.breakpoint() == breakpoint && c.point() == p) {
                return true;
            }
        }
        return false;
    }

    private static Mapping counterMapping(List<Mapping> maps, ProbePoint p) {
        for (Mapping m : maps) {
            if (m.inode() == p.inode() && m.writable() && m.perms().charAt(3) == 'p'
                    && p.refCtrOffset() >= m.offset() && p.refCtrOffset() + 2 <= m.offset() + (m.end() - m.start())
                    && (m.path().equals(p.file().toString()) || m.path().startsWith(p.file() + " "))) {
                return m;
            }
        }
        return null;
    }

    private static boolean stillMapped(List<Mapping> maps, Count c) {
        for (Mapping m : maps) {
            if (m.contains(c.counter())) {
                return m.inode() == c.inode() && m.writable();
            }
        }
        return false;
    }

    /** {@code __update_ref_ctr}: the counter is a signed short that must not go below zero. */
    private static boolean add(ProcessProbes pp, ProbePoint p, long at, int delta, List<String> problems) {
        try {
            byte[] b = pp.memory.readFully(at, 2);
            int value = (short) ((b[0] & 0xff) | (b[1] & 0xff) << 8);
            if (value + delta < 0) {
                problems.add(String.format("the USDT semaphore of %s at 0x%x in process %d is %d already; not decremented",
                        p, at, pp.pid, value));
                return false;
            }
            int v = value + delta;
            pp.memory.write(at, new byte[] {(byte) v, (byte) (v >> 8)});
            return true;
        } catch (RuntimeException e) {
            problems.add(String.format("cannot update the USDT semaphore of %s at 0x%x in process %d: %s", p, at, pp.pid,
                    e.getMessage()));
            return false;
        }
    }
}
