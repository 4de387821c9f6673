package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Records to the {@link ProbeEvent}s every formatter prints: the event's group and name, the
 * thread, the CPU, the time on CLOCK_MONOTONIC ({@link TscClock}), the site, the arguments
 * ({@link EventLayout#decode}). The five flag characters are the trap engine's, so that the three
 * engines print the same line for the same hit.
 *
 * <p>The task name is not in the record (reading it takes a system call in the traced thread): it is
 * the thread's name when the record is decoded, from {@code /proc/PID/task/TID/comm}, kept per
 * thread until {@link #forget(int)} (the engine calls it at exec and at the thread's exit). A thread
 * that renames itself shows its new name on records decoded after the cache was filled; a thread gone
 * before its first record was decoded shows {@code <...>}, as the kernel's comm cache does.
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
    private final Sites sites;
    private final Map<Integer, String> names = new HashMap<>();

    public EventDecoder(EventSpec[] specs, TscClock clock) {
        this(specs, clock, (pid, event) -> 0);
    }

    /** With the probes' run-time addresses per process (a PIE or library is loaded at a different place in each). */
    public EventDecoder(EventSpec[] specs, TscClock clock, Sites sites) {
        this.specs = specs.clone();
        this.clock = clock;
        this.sites = sites;
    }

    /** The event of one record ({@code record[0 .. length)}, as a {@link RingReader} hands it). */
    public ProbeEvent decode(byte[] record, int length) {
        ByteBuffer b = ByteBuffer.wrap(record, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        long header = b.getLong(RecordFormat.HEADER);
        EventSpec spec = specs[RecordFormat.event(header)];
        int tid = b.getInt(RecordFormat.TID);
        int pid = b.getInt(RecordFormat.PID);
        String comm = name(pid, tid);
        long at = sites.address(pid, RecordFormat.event(header));
        long address = at != 0 ? at : spec.address();
        ProbeEvent.Site site = spec.layout().isReturn()
                ? new ProbeEvent.Site.Return(address, b.getLong(RecordFormat.RETURN_ADDRESS))
                : new ProbeEvent.Site.Entry(address);
        byte[] rec = length == record.length ? record : Arrays.copyOf(record, length);
        return new ProbeEvent(comm, pid, tid, b.getInt(RecordFormat.CPU), ProbeEvent.UPROBE_FLAGS,
                clock.nanos(b.getLong(RecordFormat.TSC)), spec.group(), spec.name(), site,
                spec.layout().decode(rec, comm.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Drops the cached name of {@code tid}. */
    public void forget(int tid) {
        names.remove(tid);
    }

    private String name(int pid, int tid) {
        return names.computeIfAbsent(tid, t -> {
            try {
                return Procfs.comm(pid, t);
            } catch (SysException | java.io.UncheckedIOException e) {
                return "<...>";
            }
        });
    }
}
