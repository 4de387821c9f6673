package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RecordFormat;

/**
 * The probes' run-time addresses by (process, event), as the decoder uses them: taken from the engine
 * once per batch for each (process, event) the batch has records of ({@link #refresh}), so that a
 * live trace and the report of a recording (which stores every change, {@link Changes}) decode the
 * same records to the same addresses. An open-addressing table: no object per lookup.
 */
public final class SiteTable implements EventDecoder.Sites {
    /** Where a (process, event) is now, as a recording stores it. */
    @FunctionalInterface
    public interface Changes {
        void site(int pid, int event, long address);
    }

    private long[] keys = new long[64];
    private long[] addresses = new long[64];
    private int[] batches = new int[64];
    private int size;
    private int batch;

    @Override
    public long address(int pid, int event) {
        int i = slot(key(pid, event));
        return keys[i] == 0 ? 0 : addresses[i];
    }

    /** Sets where (pid, event) is (a recording's entry). */
    public void put(int pid, int event, long address) {
        long key = key(pid, event);
        if (key != 0) {
            insert(key, address, batch);
        }
    }

    /** Asks {@code engine} where each (process, event) of {@code b}'s records is; tells {@code changes} what moved. */
    public void refresh(RecordBatch b, EventDecoder.Sites engine, Changes changes) {
        batch++;
        long lastKey = 0;
        byte[] data = b.data();
        for (int at = 0; at < b.length(); at += RecordFormat.length(Bytes.getLong(data, at))) {
            int pid = Bytes.getInt(data, at + RecordFormat.PID);
            int event = RecordFormat.event(Bytes.getLong(data, at));
            long key = key(pid, event);
            if (key == lastKey || key == 0) {
                continue;
            }
            lastKey = key;
            int i = slot(key);
            if (keys[i] != 0 && batches[i] == batch) {
                continue;
            }
            long now = engine.address(pid, event);
            if (keys[i] == 0 || addresses[i] != now) {
                changes.site(pid, event, now);
            }
            insert(key, now, batch);
        }
    }

    private static long key(int pid, int event) {
        return (long) pid << 32 | event;
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int i = (int) (Long.hashCode(key * 0x9E3779B97F4A7C15L)) & mask;
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void insert(long key, long address, int stamp) {
        if (size * 2 >= keys.length) {
            grow();
        }
        int i = slot(key);
        if (keys[i] == 0) {
            keys[i] = key;
            size++;
        }
        addresses[i] = address;
        batches[i] = stamp;
    }

    private void grow() {
        long[] k = keys;
        long[] a = addresses;
        int[] s = batches;
        keys = new long[k.length * 2];
        addresses = new long[k.length * 2];
        batches = new int[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != 0) {
                int j = slot(k[i]);
                keys[j] = k[i];
                addresses[j] = a[i];
                batches[j] = s[i];
                size++;
            }
        }
    }
}
