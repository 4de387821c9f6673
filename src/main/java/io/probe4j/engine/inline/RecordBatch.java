package io.probe4j.engine.inline;

import java.util.ArrayList;
import java.util.List;

/**
 * Records taken out of the rings in one go: whole records back to back, as the rings hold them
 ({@code engine.ring.RecordFormat}), copied by the reader at memcpy speed and decoded later, on another thread.
 * Thread names travel with the records they belong to: a {@link Name} says which name a thread has
 * from a record on, read by the reader when it first took a record of that thread (the thread still
 * exists then: at the latest, its exit stop makes the reader drain). So do the probes' addresses: a
 * {@link Site} says where a probe is in a process from a record on, as the engine said when the reader
 * took the record (an exec moves the probes of a process; its exec stop makes the reader drain first).
 *
 * @see InlineReader
 */
public final class RecordBatch {
    /** Thread {@code tid} is called {@code name} from the record at byte {@code offset} of the batch on. */
    public record Name(int offset, int tid, String name) {
    }

    /** Probe {@code event} is at {@code address} in process {@code pid} from the record at byte {@code offset} on. */
    public record Site(int offset, int pid, int event, long address) {
    }

    final byte[] data;
    int length;
    int records;
    final List<Name> names = new ArrayList<>();
    final List<Site> sites = new ArrayList<>();
    /** When the reader first copied into it (System.nanoTime), and the time every record before it is in (monotonic). */
    long since;
    long through;

    public RecordBatch(int capacity) {
        this.data = new byte[capacity];
    }

    /** {@code records} whole records in {@code bytes[0 .. length)} and the names and sites that go with them (a recording's). */
    public RecordBatch(byte[] bytes, int length, int records, List<Name> names, List<Site> sites) {
        this.data = bytes;
        this.length = length;
        this.records = records;
        this.names.addAll(names);
        this.sites.addAll(sites);
    }

    public byte[] data() {
        return data;
    }

    /** Bytes of records. */
    public int length() {
        return length;
    }

    public int records() {
        return records;
    }

    public List<Name> names() {
        return names;
    }

    public List<Site> sites() {
        return sites;
    }

    int room() {
        return data.length - length;
    }

    void clear() {
        length = 0;
        records = 0;
        names.clear();
        sites.clear();
    }
}
