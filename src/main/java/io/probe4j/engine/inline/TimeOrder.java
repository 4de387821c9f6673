package io.probe4j.engine.inline;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.StreamSink;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Puts the events of several sources back in time order before they go to the sink, as the kernel
 * merges its per-CPU buffers by timestamp: the inline engine reads one ring per CPU (a thread that moved
 * between CPUs has its records in two rings), and the trap engine's events of the same session arrive on
 * another thread. Events are held until {@link #release} says every source has handed over what
 * happened up to a time; then those up to that time go out, by timestamp, events of one timestamp in
 * the order they came. Not thread-safe: one thread calls it. {@code probe4j trace} and {@code report} print
 * through it ({@link InlineEvents}), and the Java API's sinks get their events through it too.
 *
 * <p>What is held: for a sink that {@linkplain StreamSink#formatsAhead formats ahead} (text, JSON), each
 * event's bytes, formatted as it comes, back to back in one array; else the events. At a million
 * events a second, the window holds some 100,000 events: as objects, every young collection would copy
 * them all (most of the text path's time went there), as bytes the collector never looks inside.
 *
 * <p>Entries are numbered in the order they came. While they come in time order (one source at a time,
 * as the inline engine's batches mostly do) nothing is sorted; otherwise a release sorts their numbers
 * by (time, number) with a merge sort of the sorted runs, and the entries still held after it are
 * renumbered in that order.
 */
public final class TimeOrder {
    private final EventSink sink;
    /** The sink's lines, when it formats ahead; null: the events are held. */
    private final StreamSink lines;
    private long[] times = new long[1024];
    /** Held events, by number (events held). */
    private ProbeEvent[] events;
    /** Held bytes (lines held): entry k's are {@code bytes[k == 0 ? 0 : ends[k - 1] .. ends[k])}. */
    private Bytes bytes;
    private Bytes spare;
    private int[] ends;
    private int count;
    private boolean sorted = true;
    /** Entry numbers in time order, when not {@link #sorted}. */
    private int[] order = new int[0];
    private int[] merging = new int[0];

    public TimeOrder(EventSink sink) {
        this.sink = sink;
        this.lines = sink instanceof StreamSink s && s.formatsAhead() ? s : null;
        if (lines != null) {
            bytes = new Bytes();
            spare = new Bytes();
            ends = new int[times.length];
        } else {
            events = new ProbeEvent[times.length];
        }
    }

    public void add(ProbeEvent e) {
        if (count == times.length) {
            grow();
        }
        long t = e.timestampNs();
        if (count > 0 && times[count - 1] > t) {
            sorted = false;
        }
        times[count] = t;
        if (lines != null) {
            lines.format(e, bytes);
            ends[count] = bytes.size;
        } else {
            events[count] = e;
        }
        count++;
    }

    /** Hands on the events up to {@code until} (CLOCK_MONOTONIC ns). */
    public void release(long until) {
        if (sorted) {
            int n = 0;
            while (n < count && times[n] <= until) {
                n++;
            }
            if (n > 0) {
                releaseInOrder(n);
            }
            return;
        }
        sortByTime();
        int n = 0;
        while (n < count && times[order[n]] <= until) {
            n++;
        }
        releaseSorted(n);
    }

    /** Hands on every event held (every source has stopped). */
    public void releaseAll() {
        release(Long.MAX_VALUE);
    }

    /** Events held. */
    public int size() {
        return count;
    }

    /** Entries 0 .. n-1, already in time order, out; the rest moved to the front. */
    private void releaseInOrder(int n) {
        int rest = count - n;
        if (lines != null) {
            int cut = ends[n - 1];
            lines.acceptFormatted(bytes.buf, 0, cut, n);
            System.arraycopy(bytes.buf, cut, bytes.buf, 0, bytes.size - cut);
            bytes.size -= cut;
            for (int k = 0; k < rest; k++) {
                ends[k] = ends[n + k] - cut;
            }
        } else {
            for (int k = 0; k < n; k++) {
                sink.accept(events[k]);
            }
            System.arraycopy(events, n, events, 0, rest);
            Arrays.fill(events, rest, count, null);
        }
        System.arraycopy(times, n, times, 0, rest);
        count = rest;
    }

    /** Entries order[0 .. n) out; the rest renumbered in time order. */
    private void releaseSorted(int n) {
        int rest = count - n;
        long[] t = new long[times.length];
        if (lines != null) {
            for (int i = 0; i < n; i++) {
                int k = order[i];
                int from = start(k);
                lines.acceptFormatted(bytes.buf, from, ends[k], 1);
            }
            int[] e = new int[ends.length];
            spare.size = 0;
            for (int i = 0; i < rest; i++) {
                int k = order[n + i];
                spare.write(bytes.buf, start(k), ends[k] - start(k));
                e[i] = spare.size;
                t[i] = times[k];
            }
            Bytes b = bytes;
            bytes = spare;
            spare = b;
            ends = e;
        } else {
            ProbeEvent[] kept = new ProbeEvent[events.length];
            for (int i = 0; i < n; i++) {
                sink.accept(events[order[i]]);
            }
            for (int i = 0; i < rest; i++) {
                kept[i] = events[order[n + i]];
                t[i] = times[order[n + i]];
            }
            events = kept;
        }
        times = t;
        count = rest;
        sorted = true;
    }

    private int start(int k) {
        return k == 0 ? 0 : ends[k - 1];
    }

    /** {@link #order}: the entry numbers by (time, number), a bottom-up merge of the runs already in order. */
    private void sortByTime() {
        if (order.length < count) {
            order = new int[times.length];
            merging = new int[times.length];
        }
        for (int k = 0; k < count; k++) {
            order[k] = k;
        }
        // the runs: where each starts (the last entry is the end)
        int[] runs = new int[count + 1];
        int nRuns = 0;
        runs[nRuns++] = 0;
        for (int k = 1; k < count; k++) {
            if (times[k] < times[k - 1]) {
                runs[nRuns++] = k;
            }
        }
        runs[nRuns] = count;
        int[] from = order;
        int[] to = merging;
        while (nRuns > 1) {
            int merged = 0;
            for (int r = 0; r < nRuns; r += 2) {
                int lo = runs[r];
                int mid = runs[Math.min(r + 1, nRuns)];
                int hi = runs[Math.min(r + 2, nRuns)];
                merge(from, to, lo, mid, hi);
                runs[merged++] = lo;
            }
            runs[merged] = count;
            nRuns = merged;
            int[] swap = from;
            from = to;
            to = swap;
        }
        order = from;
        merging = to;
    }

    /** {@code from[lo .. mid)} and {@code from[mid .. hi)} merged into {@code to[lo .. hi)}; on a tie the left first (it came first). */
    private void merge(int[] from, int[] to, int lo, int mid, int hi) {
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (j >= hi || (i < mid && times[from[i]] <= times[from[j]])) {
                to[k] = from[i++];
            } else {
                to[k] = from[j++];
            }
        }
    }

    private void grow() {
        int n = times.length * 2;
        times = Arrays.copyOf(times, n);
        if (lines != null) {
            ends = Arrays.copyOf(ends, n);
        } else {
            events = Arrays.copyOf(events, n);
        }
    }

    /** Bytes back to back, which {@link StreamSink#format} appends to. */
    private static final class Bytes extends OutputStream {
        private byte[] buf = new byte[1 << 16];
        private int size;

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }
    }
}
