package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.sys.MappedMemory;

/**
 * Records written into rings from Java the way the trampolines write them: the room check (a record
 * that would leave less than the margin free is counted lost instead), the reservation with an atomic
 * add on the head, the header, the body, then the committed header. For tests of the consumer side
 * that need records of several rings or with chosen time stamps.
 */
public final class RingRecords {
    private RingRecords() {
    }

    /**
     * One record of {@code event} on {@code ring}: counter {@code tsc}, thread {@code pid}/{@code tid},
     * CPU {@code ring}, then {@code words} (the argument slots); false when it was counted lost.
     */
    public static boolean write(RingMapping r, int ring, int event, long tsc, int pid, int tid, long... words) {
        RingLayout layout = r.layout();
        MappedMemory m = r.memory();
        long head = layout.ringOffset(ring) + RingLayout.HEAD;
        int length = RecordFormat.ENTRY_ARGS + 8 * words.length;
        long used = m.getLongAcquire(head) - m.getLongAcquire(layout.ringOffset(ring) + RingLayout.TAIL);
        if (used + length > layout.dataSize() - layout.margin()) {
            m.getAndAddLong(layout.ringOffset(ring) + RingLayout.lostOffset(event), 1);
            return false;
        }
        long pos = m.getAndAddLong(head, length);
        long at = layout.dataOffset(ring) + (pos & (layout.dataSize() - 1));
        m.setLong(at, RecordFormat.reservedHeader(length, event, pos));
        m.setLong(at + RecordFormat.TSC, tsc);
        m.setLong(at + RecordFormat.TID, (long) ring << 32 | tid);
        m.setLong(at + RecordFormat.PID, pid);
        for (int i = 0; i < words.length; i++) {
            m.setLong(at + RecordFormat.ENTRY_ARGS + 8L * i, words[i]);
        }
        m.setLongRelease(at, RecordFormat.reservedHeader(length, event, pos) | RecordFormat.COMMITTED);
        return true;
    }
}
