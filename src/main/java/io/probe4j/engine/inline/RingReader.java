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
            n += drain(i, sink);
        }
        return n;
    }

    private int drain(int ring, Sink sink) {
        long start = tails[ring];
        long tail = start;
        long data = layout.dataOffset(ring);
        long mask = layout.dataSize() - 1;
        int n = 0;
        while (tail - start < layout.dataSize() / 2) { // then zero and publish what was taken, so writers get room
            long at = data + (tail & mask);
            long header = memory.getLongAcquire(at);
            if (header == 0 || !RecordFormat.committed(header) || !RecordFormat.sequenceMatches(header, tail)) {
                long skip = stalled(ring, tail, header);
                if (skip <= 0) {
                    break;
                }
                tail += skip;
                continue;
            }
            int length = RecordFormat.length(header);
            if (length < RecordFormat.ENTRY_ARGS || (length & 7) != 0) {
                resyncs++;
                tail = Math.max(tail, head(ring));
                break;
            }
            memory.read(at, buffer, 0, length);
            tail += length;
            stalledAt[ring] = 0;
            n++;
            sink.accept(ring, buffer, length);
        }
        if (tail != start) {
            // zero what was taken in one go (the data area is mapped twice, so a range that wraps is contiguous)
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
