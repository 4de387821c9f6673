package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The consumer thread of the inline engine: takes records from the rings as they come, turns them into
 * {@link ProbeEvent}s and hands them on (to the same filters and sinks the other engines feed). It sleeps
 * a millisecond when the rings are empty. {@link #close()} empties the rings one last time and says how
 * many records were lost, as the kernel engine reports its ring buffer's overruns.
 */
public final class InlineReader implements AutoCloseable {
    private static final long IDLE_NANOS = 1_000_000;
    private final RingReader reader;
    private final EventDecoder decoder;
    private final TscClock clock;
    private final InlineProbes engine;
    private final List<InlineProbe> probes;
    private final Consumer<ProbeEvent> out;
    private final Thread thread;
    private volatile boolean stop;
    private RuntimeException failure;

    public InlineReader(RingMapping rings, List<InlineProbe> probes, InlineProbes engine, Consumer<ProbeEvent> out) {
        this.reader = new RingReader(rings);
        this.clock = TscClock.calibrate();
        EventDecoder.EventSpec[] specs = new EventDecoder.EventSpec[Math.max(1, probes.size())];
        for (InlineProbe p : probes) {
            // the address printed is the probe's in the record's process: the engine knows it (engine::site)
            specs[p.event()] = new EventDecoder.EventSpec(p.layout(), p.definition().group(), p.definition().event(), 0);
        }
        this.decoder = new EventDecoder(specs, clock, engine::site);
        this.engine = engine;
        this.probes = List.copyOf(probes);
        this.out = out;
        engine.drainNow = this::drain;
        this.thread = Thread.ofPlatform().daemon().name("probe4j-inline-reader").unstarted(this::run);
    }

    public InlineReader start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (!stop) {
                if (drain() == 0) {
                    LockSupport.parkNanos(IDLE_NANOS);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private synchronized int drain() {
        for (Integer tid; (tid = engine.renamed.poll()) != null; ) {
            decoder.forget(tid);
        }
        clock.recalibrate();
        int n = 0;
        for (int got; (got = reader.poll((ring, record, length) -> out.accept(decoder.decode(record, length)))) > 0; ) {
            n += got;
        }
        return n;
    }

    /** Stops the thread after the rings are empty; returns the lines that report lost records (none: empty). */
    public List<String> finish() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
        if (failure != null) {
            throw failure;
        }
        List<String> lines = new ArrayList<>();
        for (InlineProbe p : probes) {
            long lost = reader.lost(p.event());
            if (lost > 0) {
                lines.add("warning: the inline engine lost " + lost + " records of " + p
                        + " (its ring was full: the reader did not keep up)");
            }
        }
        if (reader.abandoned() + reader.resyncs() > 0) {
            lines.add("warning: the inline engine skipped " + reader.abandoned() + " unfinished records and lost an "
                    + "unknown number at " + reader.resyncs() + " resynchronizations (a writer stopped or killed mid-record)");
        }
        return lines;
    }

    @Override
    public void close() {
        if (!stop) {
            finish();
        }
    }
}
