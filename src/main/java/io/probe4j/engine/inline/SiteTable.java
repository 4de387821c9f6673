package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RecordFormat;

/**
 * The probes' run-time addresses by (process, event). The reader keeps one to hand over, with the
 * records it takes, where the engine says each (process, event) of them is, once per copy and when it
 * moved ({@link #take}: a {@link RecordBatch.Site}); the decoder keeps one filled from those, in the
 * records' order ({@link #put}). So a record decoded late, or from a recording, gets the address its
 * probe had when the record was taken, not the one an exec gave it since. An open-addressing table: no
 * object per lookup.
 */
public final class SiteTable implements EventDecoder.Sites {
    private long[] keys = new long[64];
    private long[] addresses = new long[64];
    private int[] copies = new int[64];
    private int size;
    private int copy;

    @Override
    public long address(int pid, int event) {
        int i = slot(key(pid, event));
        return keys[i] == 0 ? 0 : addresses[i];
    }

    /** Sets where (pid, event) is (a batch's {@link RecordBatch.Site}). */
    public void put(int pid, int event, long address) {
        long key = key(pid, event);
        if (key != 0) {
            insert(key, address, copy);
        }
    }

    /**
     * Asks {@code engine} where each (process, event) of {@code b}'s records from byte {@code from} on is (once
     * each per call); hands over in {@code b} what is new or moved, at its first record.
     */
    void take(RecordBatch b, int from, EventDecoder.Sites engine) {
        copy++;
        long lastKey = 0;
        byte[] data = b.data();
        for (int at = from; at < b.length(); at += RecordFormat.length(Bytes.getLong(data, at))) {
            int pid = Bytes.getInt(data, at + RecordFormat.PID);
            int event = RecordFormat.event(Bytes.getLong(data, at));
            long key = key(pid, event);
            if (key == lastKey || key == 0) {
                continue;
            }
            lastKey = key;
            int i = slot(key);
            if (keys[i] != 0 && copies[i] == copy) {
                continue;
            }
            long now = engine.address(pid, event);
            if (keys[i] == 0 || addresses[i] != now) {
                b.sites.add(new RecordBatch.Site(at, pid, event, now));
            }
            insert(key, now, copy);
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
        copies[i] = stamp;
    }

    private void grow() {
        long[] k = keys;
        long[] a = addresses;
        int[] s = copies;
        keys = new long[k.length * 2];
        addresses = new long[k.length * 2];
        copies = new int[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != 0) {
                int j = slot(k[i]);
                keys[j] = k[i];
                addresses[j] = a[i];
                copies[j] = s[i];
                size++;
            }
        }
    }
}
