package io.probe4j.engine.trap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One thread's pending return instances, newest first, with the kernel's rules
 * ({@code prepare_uretprobe}, {@code handle_trampoline} in {@code kernel/events/uprobes.c}): a depth
 * cap with a counted skip, tail calls chained to the instance below, and instances left behind by
 * {@code longjmp} or an exception (their frame is gone: the stack pointer is above their slot)
 * discarded without calling handlers.
 */
final class ReturnStack {
    /** The kernel's {@code MAX_URETPROBE_DEPTH}. */
    static final int MAX_DEPTH = 64;

    private final ArrayDeque<ReturnInstance> instances = new ArrayDeque<>();
    private long skipped;

    /** What a trampoline hit does: the instances that returned (handlers to run, newest first) and where to go. */
    record Returned(List<ReturnInstance> fired, long resumeAt) {
    }

    ReturnStack copy() {
        ReturnStack c = new ReturnStack();
        c.instances.addAll(instances);
        c.skipped = skipped;
        return c;
    }

    /**
     * At an entry hit with stack pointer {@code sp} holding {@code slotValue}: the instance to push
     * (the caller then writes the trampoline into the slot unless it is chained), or null when the
     * depth cap or a broken chain says not to probe this return.
     */
    ReturnInstance prepare(ProbePoint point, long function, long sp, long slotValue, long trampoline) {
        boolean chained = slotValue == trampoline;
        // drop instances whose frames are gone: a live caller's slot lies above sp (at sp itself for a tail call)
        while (!instances.isEmpty() && !(chained ? sp <= instances.peek().sp() : sp < instances.peek().sp())) {
            instances.pop();
        }
        if (instances.size() >= MAX_DEPTH) {
            skipped++;
            return null;
        }
        long orig = slotValue;
        if (chained) {
            if (instances.isEmpty()) {
                return null; // the trampoline with nothing to return to: leave it alone
            }
            orig = instances.peek().returnAddress();
        }
        ReturnInstance ri = new ReturnInstance(point, function, orig, sp, chained);
        instances.push(ri);
        return ri;
    }

    /**
     * At a trampoline hit with stack pointer {@code sp} (just past the popped slot): pops chains until the
     * next one is still alive; only the last chain popped fired (the others were skipped by a longjmp).
     * Null when there is no instance at all.
     */
    Returned popAtTrampoline(long sp) {
        if (instances.isEmpty()) {
            return null;
        }
        while (true) {
            List<ReturnInstance> chain = new ArrayList<>();
            ReturnInstance ri;
            do {
                ri = instances.pop();
                chain.add(ri);
            } while (ri.chained() && !instances.isEmpty());
            ReturnInstance next = instances.peek();
            boolean valid = next == null || sp <= next.sp();
            if (valid) {
                return new Returned(chain, ri.returnAddress());
            }
        }
    }

    /**
     * An exception unwind starts: every slot that holds the trampoline gets the real return address back
     * (the unwinder finds no unwind information at the trampoline). The instances stay.
     */
    void restoreAll(io.probe4j.sys.ProcessMemory memory, long trampoline) {
        for (ReturnInstance ri : instances) {
            try {
                if (memory.readLong(ri.sp()) == trampoline) {
                    memory.write(ri.sp(), Uprobes.le(ri.returnAddress()));
                }
            } catch (RuntimeException e) {
                // an unreadable slot: leave it
            }
        }
    }

    /**
     * The unwind ended in a handler whose frame runs at {@code sp}: instances of the unwound frames
     * (slots below {@code sp}) are dropped without handlers, the live ones hijacked again.
     */
    void rehijack(long sp, io.probe4j.sys.ProcessMemory memory, long trampoline) {
        while (!instances.isEmpty() && instances.peek().sp() < sp) {
            instances.pop();
        }
        for (ReturnInstance ri : instances) {
            try {
                if (!ri.chained() && memory.readLong(ri.sp()) == ri.returnAddress()) {
                    memory.write(ri.sp(), Uprobes.le(trampoline));
                }
            } catch (RuntimeException e) {
                // an unreadable slot: leave it
            }
        }
    }

    /**
     * What stack slot {@code slot} really returns to, given that it holds {@code value}: the saved return
     * address when a pending return probe put the trampoline there (for stack walks), else the value.
     */
    long original(long slot, long value, long trampoline) {
        if (value == trampoline) {
            for (ReturnInstance ri : instances) {
                if (ri.sp() == slot) {
                    return ri.returnAddress();
                }
            }
        }
        return value;
    }

    /** The instances, newest first. */
    Iterator<ReturnInstance> iterator() {
        return instances.iterator();
    }

    boolean isEmpty() {
        return instances.isEmpty();
    }

    int depth() {
        return instances.size();
    }

    /** Returns not probed because of the depth cap. */
    long skipped() {
        return skipped;
    }
}
