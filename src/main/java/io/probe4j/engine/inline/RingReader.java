package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.sys.MappedMemory;

/**
 * The consumer side of the rings: takes committed records in order, ring by ring, hands each to a
 * sink, and once per batch zeroes what it took (so a zero header always means "not reserved yet")
 * and publishes the new tail with a release store. One thread reads; any number write.
 *
 * <p>A record can stay uncommitted forever: its writer was killed, or left the trampoline from a
 * signal handler ({@code siglongjmp}) between its reservation and its commit, or is stopped. A record
 * seen reserved but uncommitted for longer than the stall timeout is skipped, by the length its
 * reserved header gives, and counted {@link #abandoned()}; a position whose header is still zero that
 * long (the writer stopped between its {@code lock xadd} and its first store) or shows a foreign
 * sequence makes the reader skip to the ring's head, counted in {@link #resyncs()}. The engine, which
 * sees threads exit through ptrace, can make the wait shorter ({@link #stallTimeout(long)}). A writer
 * that resumes after its record was skipped writes into space that is free or, if the ring wrapped
 * meanwhile, into a newer record; the sequence check catches the header it stores last.
 */
public final class RingReader {
    /** Where records go: {@code record[0 .. length)} is valid only during the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(int ring, byte[] record, int length);
    }

    private final RingLayout layout;
    private final MappedMemory memory;
    private final long[] tails;
    private final long[] stalledAt;
    private long stallTimeoutNanos = 1_000_000_000L;
    private long abandoned;
    private long resyncs;
    private byte[] buffer = new byte[RecordFormat.MAX_LENGTH + 8];

    public RingReader(RingMapping rings) {
        this.layout = rings.layout();
        this.memory = rings.memory();
        this.tails = new long[layout.rings()];
        this.stalledAt = new long[layout.rings()];
        for (int i = 0; i < tails.length; i++) {
            tails[i] = memory.getLongAcquire(layout.ringOffset(i) + RingLayout.TAIL);
        }
    }

    /** How long a reserved record may stay uncommitted before it is skipped. */
    public void stallTimeout(long nanos) {
        stallTimeoutNanos = nanos;
    }

    /**
     * Hands committed records to {@code sink}, at most half a data area per ring (then their room is
     * given back to the writers before more is read); returns how many. Poll until it returns 0 to
     * empty the rings.
     */
    public int poll(Sink sink) {
        int n = 0;
        for (int i = 0; i < tails.length; i++) {
            int ring = i;
            n += walk(i, layout.dataSize() / 2, (at, length, count) -> {
                for (int k = 0, len; k < count; k++, at += len, length -= len) {
                    len = RecordFormat.length(memory.getLong(at));
                    memory.read(at, buffer, 0, len);
                    sink.accept(ring, buffer, len);
                }
            });
        }
        return n;
    }

    /**
     * Copies the committed records of {@code ring} to the end of {@code out}, whole and back to back, as
     * many as fit (at most half a data area: then the room is given back to the writers); returns how many.
     * Runs of records that lie next to each other in the ring (the usual case) are copied in one go.
     */
    public int copy(int ring, RecordBatch out) {
        return walk(ring, Math.min(out.room(), layout.dataSize() / 2), (at, length, count) -> {
            memory.read(at, out.data, out.length, length);
            out.length += length;
            out.records += count;
        });
    }

    /** Who wrote a record. */
    @FunctionalInterface
    public interface Writer {
        void thread(int pid, int tid);
    }

    /** Tells {@code writer} who wrote each committed record not taken yet, up to the first gap; takes nothing. */
    public void peek(Writer writer) {
        for (int ring = 0; ring < tails.length; ring++) {
            long data = layout.dataOffset(ring);
            long mask = layout.dataSize() - 1;
            for (long pos = tails[ring]; pos - tails[ring] < layout.dataSize(); ) {
                long at = data + (pos & mask);
                long header = memory.getLongAcquire(at);
                int length = RecordFormat.length(header);
                if (!RecordFormat.committed(header) || !RecordFormat.sequenceMatches(header, pos)
                        || length < RecordFormat.ENTRY_ARGS || (length & 7) != 0) {
                    break;
                }
                writer.thread(memory.getInt(at + RecordFormat.PID), memory.getInt(at + RecordFormat.TID));
                pos += length;
            }
        }
    }

    /** Event ids the lost counters cover. */
    public int events() {
        return layout.events();
    }

    /** Bytes of one ring's data area. */
    public long dataSize() {
        return layout.dataSize();
    }

    /** The rings' count. */
    public int rings() {
        return tails.length;
    }

    /** Bytes ever reserved in each ring (the writers' positions now). */
    public long[] heads() {
        long[] h = new long[tails.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = head(i);
        }
        return h;
    }

    /** Whether every record reserved before the rings' {@link #heads()} were {@code heads} has been taken. */
    public boolean taken(long[] heads) {
        for (int r = 0; r < heads.length; r++) {
            if (tails[r] - heads[r] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Bytes ever consumed of ring {@code ring}. */
    public long tail(int ring) {
        return tails[ring];
    }

    /** Committed records lying next to each other in the ring: {@code length} bytes at {@code at}, {@code count} records. */
    @FunctionalInterface
    private interface Run {
        void take(long at, int length, int count);
    }

    /**
     * Hands runs of committed records, at most {@code budget} bytes of them, to {@code run}, taking at most
     * half a data area of the ring; then zeroes what it took and publishes the new tail.
     */
    private int walk(int ring, long budget, Run run) {
        long start = tails[ring];
        long tail = start;
        long data = layout.dataOffset(ring);
        long mask = layout.dataSize() - 1;
        long runStart = tail;
        long taken = 0;
        int n = 0;
        int count = 0;
        while (tail - start < layout.dataSize() / 2) { // then zero and publish what was taken, so writers get room
            long header = memory.getLongAcquire(data + (tail & mask));
            boolean whole = header != 0 && RecordFormat.committed(header) && RecordFormat.sequenceMatches(header, tail);
            int length = RecordFormat.length(header);
            if (whole && length >= RecordFormat.ENTRY_ARGS && (length & 7) == 0 && taken + length <= budget) {
                tail += length;
                taken += length;
                stalledAt[ring] = 0;
                n++;
                count++;
                continue;
            }
            if (count > 0) { // the run before the gap (the data area is mapped twice: a run that wraps is contiguous)
                run.take(data + (runStart & mask), (int) (tail - runStart), count);
                count = 0;
            }
            if (whole && (length < RecordFormat.ENTRY_ARGS || (length & 7) != 0)) {
                resyncs++;
                tail = Math.max(tail, head(ring));
                break;
            }
            long skip = whole ? 0 : stalled(ring, tail, header);
            if (skip <= 0) {
                break; // no room left, or nothing committed here yet
            }
            tail += skip;
            runStart = tail;
        }
        if (count > 0) {
            run.take(data + (runStart & mask), (int) (tail - runStart), count);
        }
        if (tail != start) {
            // zero what was taken in one go, so that a zero header always means "not reserved yet"
            memory.zero(data + (start & mask), Math.min(tail - start, layout.dataSize()));
            tails[ring] = tail;
            memory.setLongRelease(layout.ringOffset(ring) + RingLayout.TAIL, tail);
        }
        return n;
    }

    /** How far to skip at {@code tail} where no committed record is; 0 to wait. */
    private long stalled(int ring, long tail, long header) {
        long head = head(ring);
        if (head == tail) {
            stalledAt[ring] = 0;
            return 0; // empty
        }
        long now = System.nanoTime();
        if (stalledAt[ring] == 0) {
            stalledAt[ring] = now;
            return 0;
        }
        if (now - stalledAt[ring] < stallTimeoutNanos) {
            return 0;
        }
        stalledAt[ring] = 0;
        if (header != 0 && RecordFormat.sequenceMatches(header, tail) && RecordFormat.length(header) >= RecordFormat.ENTRY_ARGS) {
            abandoned++;
            return RecordFormat.length(header);
        }
        resyncs++;
        return head - tail;
    }

    private long head(int ring) {
        return memory.getLongAcquire(layout.ringOffset(ring) + RingLayout.HEAD);
    }

    /** Records of {@code event} dropped because a ring was full, over all rings. */
    public long lost(int event) {
        long n = 0;
        for (int i = 0; i < tails.length; i++) {
            n += memory.getLongAcquire(layout.ringOffset(i) + RingLayout.lostOffset(event));
        }
        return n;
    }

    /** Times a writer found the ring overrun after reserving and waited for this reader. */
    public long overshoots() {
        long n = 0;
        for (int i = 0; i < tails.length; i++) {
            n += memory.getLongAcquire(layout.ringOffset(i) + RingLayout.OVERSHOOTS);
        }
        return n;
    }

    /** Reserved records skipped after the stall timeout. */
    public long abandoned() {
        return abandoned;
    }

    /** Times the reader skipped to a ring's head (unknown number of records lost). */
    public long resyncs() {
        return resyncs;
    }
}
