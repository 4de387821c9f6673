package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the reader took out of the rings and the decoding thread has not finished with: batches of
 * records (and the trap engine's events of the same session, in the order they came), bounded in bytes.
 * Batches are recycled: all of them together never take more than the bound, and when none is free
 * and the bound is reached the reader stops draining, the rings fill, and writers count lost records,
 * as when there was no backlog at all.
 */
final class Backlog {
    /** One batch: 1 MiB, a few hundred records of the longest kind, some 20,000 of two arguments. */
    static final int BATCH_BYTES = 1 << 20;
    /**
     * The bound: 256 MiB (about 5 million records of two arguments: seconds of a hot probe), or a quarter
     * of the JVM's heap when that is less.
     */
    static final long LIMIT = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private final ArrayDeque<RecordBatch> free = new ArrayDeque<>();
    private final long limit;
    private final int batchBytes;
    private long allocated;

    Backlog(long limit, int batchBytes) {
        this.limit = Math.max(limit, batchBytes);
        this.batchBytes = batchBytes;
    }

    Backlog() {
        this(LIMIT, BATCH_BYTES);
    }

    /** Bytes of one batch. */
    int batchBytes() {
        return batchBytes;
    }

    /** An empty batch, or null when every batch the bound allows is in use. */
    RecordBatch batch() {
        lock.lock();
        try {
            RecordBatch b = free.poll();
            if (b == null && allocated + batchBytes <= limit) {
                allocated += batchBytes;
                b = new RecordBatch(batchBytes);
            }
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** Hands a batch or an event of the trap engine on to the decoding thread. */
    void put(Object item) {
        assert item instanceof RecordBatch || item instanceof ProbeEvent;
        lock.lock();
        try {
            items.add(item);
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next item, waiting at most {@code nanos}; null if none came. */
    Object take(long nanos) throws InterruptedException {
        lock.lock();
        try {
            for (long left = nanos; items.isEmpty() && left > 0; ) {
                left = arrived.awaitNanos(left);
            }
            return items.poll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing waits for the decoding thread. */
    boolean isEmpty() {
        lock.lock();
        try {
            return items.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** A batch the decoding thread is done with. */
    void recycle(RecordBatch b) {
        b.clear();
        lock.lock();
        try {
            free.add(b);
        } finally {
            lock.unlock();
        }
    }
}
