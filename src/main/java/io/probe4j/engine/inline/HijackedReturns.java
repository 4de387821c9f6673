package io.probe4j.engine.inline;

import io.probe4j.engine.ring.ReturnStacks;
import io.probe4j.sys.ProcessMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The return addresses the inline engine's return probes swapped for exit trampolines, put back from
 * the return stacks in the traced process ({@link ReturnStacks}) at detach, and while a C++ exception
 * unwinds: each entry says where the swapped word is (the stack pointer at the call's entry) and what
 * it held. A word that no longer points into the exit trampolines (its frame returned, or was reused)
 * is left alone.
 */
final class HijackedReturns {
    private HijackedReturns() {
    }

    /** Slots in a page of the stacks (a slot never spans two). */
    private static final int SLOTS_A_PAGE = (int) (InlineProcess.PAGE / ReturnStacks.SLOT_SIZE);

    /**
     * Every hijacked return address back. The entries stay: a thread that a signal handler interrupted
     * inside an exit trampoline, before it took its entry, goes on there once the handler returns, after
     * the detach, and must find it (an empty stack there is a {@code ud2}). Only the pages of the stacks
     * the process has touched are read: a page read that it never touched would become resident in it
     * (2 MiB at every detach, and another 2 MiB at the next attach's).
     */
    static void restore(ProcessMemory memory, long stacks, long exitsFrom, long exitsTo) {
        boolean[] touched = memory.touchedPages(stacks, ReturnStacks.SLOTS / SLOTS_A_PAGE);
        byte[] page = new byte[(int) InlineProcess.PAGE];
        for (int pg = 0; pg < touched.length; pg++) {
            if (!touched[pg]) {
                continue; // zeros: free slots
            }
            memory.read(stacks + pg * InlineProcess.PAGE, page);
            ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < SLOTS_A_PAGE; k++) {
                int slot = k * ReturnStacks.SLOT_SIZE;
                long key = b.getLong(slot + ReturnStacks.KEY);
                if (key == 0 || key == ReturnStacks.FREED) {
                    continue;
                }
                long depth = Math.min(b.getLong(slot + ReturnStacks.DEPTH), ReturnStacks.MAX_DEPTH);
                for (int i = 0; i < depth; i++) {
                    int e = slot + ReturnStacks.ENTRIES + i * ReturnStacks.ENTRY_SIZE;
                    long ret = b.getLong(e + ReturnStacks.RETURN_ADDRESS);
                    long sp = b.getLong(e + ReturnStacks.STACK_POINTER);
                    try {
                        long now = memory.readLong(sp);
                        if (now >= exitsFrom && now < exitsTo) {
                            memory.write(sp, le64(ret));
                        }
                    } catch (RuntimeException gone) {
                        // a stack unmapped since (its thread ended)
                    }
                }
            }
        }
    }

    /**
     * The address of the slot of the thread whose TCB is {@code key}, searched as the trampolines do
     * ({@link ReturnStacks#home}, then the next slots; a free slot ends the search); -1 when it has none.
     */
    static long slotOf(ProcessMemory memory, long stacks, long key) {
        boolean[] touched = memory.touchedPages(stacks, ReturnStacks.SLOTS / SLOTS_A_PAGE); // see restore
        for (int i = 0, s = ReturnStacks.home(key); i < ReturnStacks.SLOTS; i++, s = (s + 1) & (ReturnStacks.SLOTS - 1)) {
            if (!touched[s / SLOTS_A_PAGE]) {
                return -1; // a page never touched: a free slot
            }
            long slot = stacks + (long) s * ReturnStacks.SLOT_SIZE;
            long k = memory.readLong(slot + ReturnStacks.KEY);
            if (k == key) {
                return slot;
            }
            if (k == 0) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The thread whose TCB is {@code key} ended: its entries go (their frames went with its stack) and its
     * slot is freed ({@link ReturnStacks#FREED}), the depth first: a thread that claims it starts empty.
     */
    static void threadEnded(ProcessMemory memory, long stacks, long key) {
        long slot = slotOf(memory, stacks, key);
        if (slot >= 0) {
            memory.write(slot + ReturnStacks.DEPTH, new byte[8]);
            memory.write(slot + ReturnStacks.KEY, le64(ReturnStacks.FREED));
        }
    }

    /**
     * An exception unwind starts in the thread whose TCB is {@code key}: the unwinder finds no unwind
     * information at an exit trampoline (and would call {@code std::terminate}), so every return address
     * of its that holds one gets its real value back, oldest entry first (a tail call's entry shares its
     * caller's word and holds an exit trampoline as its return address). The entries stay. Returns
     * what was put back, by stack address: the real address and the exit trampoline that was there.
     */
    static Map<Long, long[]> putBack(ProcessMemory memory, long stacks, long key, long exitsFrom, long exitsTo) {
        Map<Long, long[]> out = new HashMap<>();
        long slot = slotOf(memory, stacks, key);
        if (slot < 0) {
            return out;
        }
        ByteBuffer b = slot(memory, slot);
        long depth = Math.min(b.getLong(ReturnStacks.DEPTH), ReturnStacks.MAX_DEPTH);
        for (int i = 0; i < depth; i++) {
            long ret = b.getLong(ReturnStacks.ENTRIES + i * ReturnStacks.ENTRY_SIZE + ReturnStacks.RETURN_ADDRESS);
            long sp = b.getLong(ReturnStacks.ENTRIES + i * ReturnStacks.ENTRY_SIZE + ReturnStacks.STACK_POINTER);
            try {
                long now = memory.readLong(sp);
                if (now >= exitsFrom && now < exitsTo && !(ret >= exitsFrom && ret < exitsTo)) {
                    memory.write(sp, le64(ret));
                    out.put(sp, new long[] {ret, now});
                }
            } catch (RuntimeException unreadable) {
                // a word we cannot reach: left as it is
            }
        }
        return out;
    }

    /**
     * The unwind of the thread whose TCB is {@code key} ended in a handler whose frame calls
     * {@code __cxa_begin_catch} with stack pointer {@code sp}: entries of the frames unwound (below
     * {@code sp}) are dropped without a record, the live words of {@code putBack} get their exit
     * trampolines again, so the frames that stay report their returns.
     */
    static void caught(ProcessMemory memory, long stacks, long key, long sp, Map<Long, long[]> putBack) {
        long slot = slotOf(memory, stacks, key);
        if (slot < 0) {
            return;
        }
        ByteBuffer b = slot(memory, slot);
        long depth = Math.min(b.getLong(ReturnStacks.DEPTH), ReturnStacks.MAX_DEPTH);
        long live = depth;
        while (live > 0 && b.getLong(ReturnStacks.ENTRIES + (int) (live - 1) * ReturnStacks.ENTRY_SIZE
                + ReturnStacks.STACK_POINTER) < sp) {
            live--;
        }
        if (live != depth) {
            memory.write(slot + ReturnStacks.DEPTH, le64(live));
        }
        for (Map.Entry<Long, long[]> e : putBack.entrySet()) {
            try {
                if (e.getKey() >= sp && memory.readLong(e.getKey()) == e.getValue()[0]) {
                    memory.write(e.getKey(), le64(e.getValue()[1]));
                }
            } catch (RuntimeException unreadable) {
                // gone meanwhile: nothing to hijack
            }
        }
    }

    private static ByteBuffer slot(ProcessMemory memory, long slot) {
        byte[] bytes = new byte[ReturnStacks.SLOT_SIZE];
        memory.read(slot, bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
