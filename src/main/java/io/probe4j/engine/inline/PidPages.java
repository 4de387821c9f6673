package io.probe4j.engine.inline;

import io.probe4j.engine.ring.PidPage;
import io.probe4j.sys.ProcessMemory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pid pages of one address space ({@link PidPage}, one next to each trampoline area) and what they
 * say: the process id, and the vfork children running in it with the thread control block each runs on.
 * Written with {@link ProcessMemory#writeForced} (the pages are read-only in the process).
 */
final class PidPages {
    private final int pid;
    private final ProcessMemory memory;
    private final List<Long> pages;
    /** By entry: the control block a vfork child runs on (0: a free entry), the child's id. */
    private final long[] blocks = new long[PidPage.SLOTS];
    private final int[] children = new int[PidPage.SLOTS];
    private int inUse;
    /** The vfork children waiting for a vfork child of their own on the same block, innermost first. */
    private final Map<Long, Deque<Integer>> waiting = new HashMap<>();

    PidPages(int pid, ProcessMemory memory) {
        this(pid, memory, new ArrayList<>());
    }

    private PidPages(int pid, ProcessMemory memory, List<Long> pages) {
        this.pid = pid;
        this.memory = memory;
        this.pages = pages;
    }

    /** A fork child's copy of the pages, at the same addresses: its id, no vfork child. */
    PidPages forkChild(int childPid, ProcessMemory childMemory) {
        PidPages c = new PidPages(childPid, childMemory, new ArrayList<>(pages));
        for (long w : c.pages) {
            c.memory.writeForced(w + PidPage.PID, le32(childPid));
            c.memory.writeForced(w + PidPage.IN_USE, le32(0));
        }
        return c;
    }

    /** A new page at {@code w}: the id and the vfork children running now are written into it. */
    void add(long w) {
        pages.add(w);
        memory.writeForced(w + PidPage.PID, le32(pid));
        for (int i = 0; i < inUse; i++) {
            writeEntry(w, i);
        }
        memory.writeForced(w + PidPage.IN_USE, le32(inUse));
    }

    /**
     * vfork child {@code child} runs on the thread control block {@code block} of its parent's waiting
     * thread: the trampolines record its id from now on. False when the pages have no free entry.
     */
    boolean vforkStarted(int child, long block) {
        for (int i = 0; i < inUse; i++) {
            if (blocks[i] == block) { // a vfork child's own vfork child: it runs on that block now
                waiting.computeIfAbsent(block, b -> new ArrayDeque<>()).push(children[i]);
                children[i] = child;
                publish(i);
                return true;
            }
        }
        for (int i = 0; i < PidPage.SLOTS; i++) {
            if (blocks[i] == 0) {
                blocks[i] = block;
                children[i] = child;
                inUse = Math.max(inUse, i + 1);
                publish(i);
                return true;
            }
        }
        return false;
    }

    /** The thread with control block {@code block} woke from its vfork: the records with that block are its own again. */
    void vforkDone(long block) {
        for (int i = 0; i < inUse; i++) {
            if (blocks[i] == block) {
                Deque<Integer> outer = waiting.get(block);
                if (outer != null && !outer.isEmpty()) { // the vfork child that waited for it runs again
                    children[i] = outer.pop();
                    publish(i);
                    return;
                }
                blocks[i] = 0;
                while (inUse > 0 && blocks[inUse - 1] == 0) {
                    inUse--;
                }
                publish(i);
                return;
            }
        }
    }

    /** Entry {@code i} and the count into every page, in an order no running trampoline can misread. */
    private void publish(int i) {
        for (long w : pages) {
            writeEntry(w, i);
            memory.writeForced(w + PidPage.IN_USE, le32(inUse));
        }
    }

    /** Entry {@code i}: the child's id first, then the control block that makes it match. */
    private void writeEntry(long w, int i) {
        long e = w + PidPage.ENTRIES + (long) i * PidPage.ENTRY_SIZE;
        memory.writeForced(e + PidPage.CHILD, le32(children[i]));
        memory.writeForced(e + PidPage.CONTROL_BLOCK, HijackedReturns.le64(blocks[i]));
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
