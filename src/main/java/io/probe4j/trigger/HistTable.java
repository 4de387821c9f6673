package io.probe4j.trigger;

import io.probe4j.unwind.Frame;
import io.probe4j.unwind.UserStack;

import io.probe4j.event.ProbeEvent;
import io.probe4j.filter.EventRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregation table of one hist trigger (the kernel's {@code tracing_map}): a compound key of
 * fixed-size slots per entry, a sum per value, at most {@link HistSpec#maxEntries()} entries (a hit with a
 * new key beyond that is dropped), and the {@code Hits} and {@code Dropped} counts the hist shows.
 */
final class HistTable {
    /**
     * One entry: its key bytes, {@code hitcount} and the values' sums, the task name for {@code .execname}, and
     * the frames of a {@code ustack} key symbolized when the entry was made (the process may be gone when the
     * table is printed; the kernel symbolizes its kernel addresses at printing).
     */
    static final class Entry {
        final byte[] key;
        final long[] sums;
        final String comm;
        final List<String> frames;

        Entry(byte[] key, int values, String comm, List<String> frames) {
            this.key = key;
            this.sums = new long[values];
            this.comm = comm;
            this.frames = frames;
        }
    }

    /** The key bytes as a map key. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private final HistSpec spec;
    private final int[] offsets;
    private final int keySize;
    private final boolean usecs;
    private final Map<Key, Entry> entries = new HashMap<>();
    private long hits;
    private long drops;

    HistTable(HistSpec spec) {
        this.spec = spec;
        this.offsets = spec.keyOffsets();
        this.keySize = spec.keySize();
        this.usecs = spec.timestampsInUsecs();
    }

    /** {@code event_hist_trigger()}: the hit's key, then its entry's sums ({@code tracing_map_insert()} and update). */
    void add(ProbeEvent e) {
        EventRecord r = new EventRecord(e, 0);
        long ts = usecs ? (e.timestampNs() + 500) / 1000 : e.timestampNs();
        byte[] key = new byte[keySize];
        List<HistField> keys = spec.keys();
        for (int i = 0; i < keys.size(); i++) {
            HistField k = keys.get(i);
            if (k.isString()) {
                putString(key, offsets[i], k.keySlot(), r.text(k.field()));
            } else if (k.source() == HistField.Source.USTACK) {
                List<Frame> frames = stack(e);
                for (int f = 0; f < frames.size(); f++) {
                    putLong(key, offsets[i] + 8 * f, frames.get(f).address());
                }
            } else {
                putLong(key, offsets[i], k.value(r, ts));
            }
        }
        Key wrapped = new Key(key);
        Entry entry = entries.get(wrapped);
        if (entry == null) {
            if (entries.size() >= spec.maxEntries()) {
                drops++;
                return;
            }
            entry = new Entry(key, 1 + spec.values().size(), e.comm(), spec.keys().stream()
                    .anyMatch(k -> k.source() == HistField.Source.USTACK) ? stack(e).stream().map(Frame::toString).toList() : List.of());
            entries.put(wrapped, entry);
        }
        hits++;
        entry.sums[0]++;
        List<HistField> values = spec.values();
        for (int i = 0; i < values.size(); i++) {
            entry.sums[i + 1] += values.get(i).value(r, ts);
        }
    }

    /** The first frames of the hit's user stack that a key holds; none where the engine took no stack. */
    private static List<Frame> stack(ProbeEvent e) {
        List<Frame> frames = e.stacks().unwound().map(UserStack::frames).orElse(List.of());
        return frames.subList(0, Math.min(frames.size(), HistField.STACK_DEPTH));
    }

    /** {@code add_to_key()} of a string: its bytes up to the length its record holds, at most the slot less one. */
    private static void putString(byte[] key, int offset, int slot, EventRecord.Text t) {
        int n = Math.min(t.len(), slot - 1);
        byte[] b = t.bytes();
        for (int i = 0; i < n && i < b.length && b[i] != 0; i++) {
            key[offset + i] = b[i];
        }
    }

    static void putLong(byte[] key, int offset, long v) {
        for (int i = 0; i < 8; i++) {
            key[offset + i] = (byte) (v >>> (8 * i));
        }
    }

    static long getLong(byte[] key, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (key[offset + i] & 0xffL) << (8 * i);
        }
        return v;
    }

    /** {@code tracing_map_clear()}: no entries, no hits, no drops. */
    void clear() {
        entries.clear();
        hits = 0;
        drops = 0;
    }

    List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    long hits() {
        return hits;
    }

    long drops() {
        return drops;
    }

    HistSpec spec() {
        return spec;
    }

    int[] offsets() {
        return offsets.clone();
    }
}
