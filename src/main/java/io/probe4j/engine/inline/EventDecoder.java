package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Records to the {@link ProbeEvent}s every formatter prints: the event's group and name, the
 * thread, the CPU, the time on CLOCK_MONOTONIC ({@link TscClock}), the site, the arguments
 * ({@link EventLayout#decode}). The five flag characters are the trap engine's, so that the three
 * engines print the same line for the same hit.
 *
 * <p>The task name is not in the record (reading it takes a system call in the traced thread): it is
 * the thread's name from {@code /proc/PID/task/TID/comm} when the {@link InlineReader} first took a
 * record of the thread out of the rings, handed over with the records ({@link RecordBatch#names()}) and
 * kept until the reader forgets it (at exec and after the thread's exit) — the thread's exit stop makes the
 * reader drain, so that its name is still there to read. A thread that renames itself shows its new
 * name on records taken after the name was forgotten; a thread gone before the reader saw a record of
 * it shows {@code <...>}, as the kernel's comm cache does. Records decoded one by one
 * ({@link #decode(byte[], int)}) get the name from {@code /proc} when they are decoded.
 */
public final class EventDecoder {
    /**
     * What the consumer knows of an event id.
     *
     * @param address the probe's run-time address (entry probes), or the function's (return probes)
     */
    public record EventSpec(EventLayout layout, String group, String name, long address) {
    }

    /** Where an event's probe is in a process (0: where its {@link EventSpec} says). */
    @FunctionalInterface
    public interface Sites {
        long address(int pid, int event);
    }

    private final EventSpec[] specs;
    private final TscClock clock;
    /** Where the probes are for records decoded one by one. */
    private final Sites sites;
    /** Where the probes are for a batch's records: handed over with them ({@link RecordBatch#sites()}). */
    private final SiteTable handed = new SiteTable();
    /** The names of threads: handed over with the records ({@link RecordBatch#names()}), else read here. */
    private final Map<Integer, Name> names = new HashMap<>();
    /** The last entry site of each event id ({@link #entry}). */
    private final ProbeEvent.Site.Entry[] entries;
    private Name last;

    /** A thread's name, and its bytes for {@code $comm}. */
    private record Name(int tid, String text, byte[] bytes) {
        Name(int tid, String text) {
            this(tid, text, text.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    public EventDecoder(EventSpec[] specs, TscClock clock) {
        this(specs, clock, (pid, event) -> 0);
    }

    /**
     * With the probes' run-time addresses per process (a PIE or library is loaded at a different place in each)
     * for records decoded one by one; a batch brings its own.
     */
    public EventDecoder(EventSpec[] specs, TscClock clock, Sites sites) {
        this.specs = specs.clone();
        this.entries = new ProbeEvent.Site.Entry[specs.length];
        this.clock = clock;
        this.sites = sites;
    }

    /** The event of one record ({@code record[0 .. length)}, as a {@link RingReader} hands it). */
    public ProbeEvent decode(byte[] record, int length) {
        return decode(record, 0, length, sites);
    }

    /**
     * The events of a batch, in order, with the thread names and probe addresses it hands over. A damaged
     * record (an event id no probe has, a string outside its record) is an {@link IllegalArgumentException}.
     */
    public void decode(RecordBatch batch, Consumer<ProbeEvent> out) {
        List<RecordBatch.Name> names = batch.names();
        List<RecordBatch.Site> moved = batch.sites();
        int name = 0;
        int site = 0;
        byte[] data = batch.data();
        for (int at = 0, length; at < batch.length(); at += length) {
            for (; name < names.size() && names.get(name).offset() <= at; name++) {
                name(names.get(name));
            }
            for (; site < moved.size() && moved.get(site).offset() <= at; site++) {
                place(moved.get(site));
            }
            length = RecordFormat.length(Bytes.getLong(data, at));
            out.accept(decode(data, at, length, handed));
        }
        for (; name < names.size(); name++) {
            name(names.get(name));
        }
        for (; site < moved.size(); site++) {
            place(moved.get(site));
        }
    }

    private void place(RecordBatch.Site s) {
        handed.put(s.pid(), s.event(), s.address());
    }

    private void name(RecordBatch.Name n) {
        if (n.name() == null) {
            forget(n.tid());
        } else {
            names.put(n.tid(), new Name(n.tid(), n.name()));
        }
    }

    private ProbeEvent decode(byte[] data, int at, int length, Sites sites) {
        long header = Bytes.getLong(data, at);
        int event = RecordFormat.event(header);
        if (event >= specs.length || specs[event] == null) {
            throw new IllegalArgumentException("a record of event " + event + ", which no probe has");
        }
        EventSpec spec = specs[event];
        int tid = Bytes.getInt(data, at + RecordFormat.TID);
        int pid = Bytes.getInt(data, at + RecordFormat.PID);
        Name comm = name(pid, tid);
        long site = sites.address(pid, event);
        long address = site != 0 ? site : spec.address();
        ProbeEvent.Site where = spec.layout().isReturn()
                ? new ProbeEvent.Site.Return(address, Bytes.getLong(data, at + RecordFormat.RETURN_ADDRESS))
                : entry(event, address);
        return new ProbeEvent(comm.text(), pid, tid, Bytes.getInt(data, at + RecordFormat.CPU), ProbeEvent.UPROBE_FLAGS,
                clock.nanos(Bytes.getLong(data, at + RecordFormat.TSC)), spec.group(), spec.name(), where,
                spec.layout().decode(data, at, length, comm.bytes()));
    }

    /** The site of an entry probe's events: one object while the probe stays at one address, not one per event. */
    private ProbeEvent.Site.Entry entry(int event, long address) {
        ProbeEvent.Site.Entry e = entries[event];
        if (e == null || e.probeAddress() != address) {
            e = new ProbeEvent.Site.Entry(address);
            entries[event] = e;
        }
        return e;
    }

    /** Drops the cached name of {@code tid}. */
    public void forget(int tid) {
        names.remove(tid);
        if (last != null && last.tid() == tid) {
            last = null;
        }
    }

    private Name name(int pid, int tid) {
        if (last != null && last.tid() == tid) {
            return last;
        }
        last = names.computeIfAbsent(tid, t -> new Name(t, comm(pid, t)));
        return last;
    }

    /** The thread's name now, {@code <...>} when it is gone. */
    static String comm(int pid, int tid) {
        try {
            return Procfs.comm(pid, tid);
        } catch (SysException | java.io.UncheckedIOException e) {
            return "<...>";
        }
    }
}
