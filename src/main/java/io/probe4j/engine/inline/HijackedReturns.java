package io.probe4j.engine.inline;

import io.probe4j.engine.ring.ReturnStacks;
import io.probe4j.sys.ProcessMemory;

/**
 * The return addresses the inline engine's return probes swapped for exit trampolines, put back at
 * detach from the return stacks in the traced process ({@link ReturnStacks}): each entry says where the
 * swapped word is (the stack pointer at the call's entry) and what it held. A word that no longer
 * points into the exit trampolines (its frame returned, or was reused) is left alone.
 */
final class HijackedReturns {
    private HijackedReturns() {
    }

    /** Every hijacked return address back; the stacks emptied. */
    static void restore(ProcessMemory memory, long stacks, long exitsFrom, long exitsTo) {
        byte[] table = new byte[(int) ReturnStacks.size()];
        memory.read(stacks, table);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(table).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < ReturnStacks.SLOTS; s++) {
            int slot = s * ReturnStacks.SLOT_SIZE;
            if (b.getLong(slot + ReturnStacks.KEY) == 0) {
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
            memory.write(stacks + slot + ReturnStacks.DEPTH, new byte[8]);
        }
    }

    /**
     * The address of the slot of the thread whose TCB is {@code key}, searched as the trampolines do
     * ({@link ReturnStacks#home}, then the next slots; a free slot ends the search); -1 when it has none.
     */
    static long slotOf(ProcessMemory memory, long stacks, long key) {
        for (int i = 0, s = ReturnStacks.home(key); i < ReturnStacks.SLOTS; i++, s = (s + 1) & (ReturnStacks.SLOTS - 1)) {
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

    /** The thread whose TCB is {@code key} ended: its entries go (their frames went with its stack); the slot stays its key's. */
    static void threadEnded(ProcessMemory memory, long stacks, long key) {
        long slot = slotOf(memory, stacks, key);
        if (slot >= 0) {
            memory.write(slot + ReturnStacks.DEPTH, new byte[8]);
        }
    }

    static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
