package io.probe4j;

import io.probe4j.engine.inline.InlineEvents;
import io.probe4j.engine.inline.InlineProbe;
import io.probe4j.engine.inline.InlineProbes;
import io.probe4j.engine.inline.InlineReader;
import io.probe4j.engine.inline.RingMapping;
import io.probe4j.engine.inline.TscClock;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.trap.ProbePoint;
import io.probe4j.engine.trap.Uprobes;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.ProbeDefinition;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A tracer's inline probes for one session: the rings they record into, the engine's hooks over the
 * trap engine's (which keeps the other probes in the same session), and the inline engine's consumer
 * threads. The events reach the sinks as {@code probe4j trace --engine inline} prints them
 * ({@link InlineEvents}): decoded, and with the trap engine's events of the session's definitions
 * ({@link #offer}) in time order, about 10 ms after the hit (100 ms when definitions of the session run
 * on the trap engine, whose events come after the thread resumed). The records a full ring dropped are
 * counted per probe, told to the tracer's {@link LostRecordsHandler} as they grow, and reported at the end.
 */
final class InlineRun {
    /**
     * The group a trap engine's event carries through the time order, with a number for its probe as the
     * event name: a definition's group has no space, so no inline record carries it.
     */
    private static final String TRAP_GROUP = "trap engine";

    /** Where the events of one probe go. */
    record Route(Probe probe, EventRecorder recorder) {
    }

    private final Deliveries deliveries;
    private final RingMapping rings;
    private final InlineProbes hooks;
    private final InlineReader reader;
    /** The inline probes, by their records' group, then event name (unique among the inline probes). */
    private final Map<String, Map<String, Route>> routes = new HashMap<>();
    /** The trap engine's probes whose events came, by the event name those carry through the time order. */
    private final Map<String, Route> trapRoutes = new ConcurrentHashMap<>();
    /** Those names, by probe (the tracer thread's). */
    private final Map<Probe, String> trapNames = new HashMap<>();
    /** The inline probes' event ids, which the rings count lost records by. */
    private final Map<Probe, Integer> ids = new LinkedHashMap<>();
    /** Per event id: the lost records the handler was told of (the consumer thread's, then the finishing one's). */
    private final long[] told;
    /** Per event id: the lost records once the rings are unmapped; null before. */
    private long[] lostAtEnd;
    private final Consumer<String> diagnostics;
    private final AtomicBoolean finished = new AtomicBoolean();

    /**
     * Maps the rings and starts the consumer threads for the probes {@code inline} (each with the inline
     * engine's probe); {@code trapEvents}: definitions of the session run on the trap engine.
     */
    InlineRun(Deliveries deliveries, Map<Probe, InlineProbe> inline, Uprobes trap, boolean trapEvents, Consumer<String> diagnostics) {
        this.deliveries = deliveries;
        this.diagnostics = diagnostics;
        inline.forEach((p, ip) -> {
            routes.computeIfAbsent(ip.definition().group(), g -> new HashMap<>())
                    .put(ip.definition().event(), new Route(p, EventRecorder.of(p.info()).orElseThrow()));
            ids.put(p, ip.event());
        });
        List<InlineProbe> probes = inline.values().stream().sorted(Comparator.comparingInt(InlineProbe::event)).toList();
        this.told = new long[probes.size()];
        this.rings = RingMapping.create("probe4j-inline", InlineReader.layout(Runtime.getRuntime().availableProcessors(), probes.size()));
        try {
            this.hooks = new InlineProbes(trap, probes, rings, trap::journalPatch, diagnostics);
            TscClock clock = TscClock.calibrate();
            this.reader = new InlineReader(rings, probes, hooks, clock, InlineEvents.of(probes, clock, InlineEvents.keepAll(), new Sinks()));
            if (trapEvents) {
                reader.withTrapEngine();
            }
            reader.start();
        } catch (RuntimeException | Error e) {
            rings.close();
            throw e;
        }
    }

    /**
     * Takes the inline probes at {@code point} out, all of them being unregistered ({@link InlineProbes#remove}):
     * with a null process out of the processes to come, else out of {@code process}, stopped.
     */
    void remove(ProbePoint point, StoppedProcess process) {
        java.util.Set<Integer> events = new java.util.HashSet<>();
        ids.forEach((p, id) -> {
            if (p.point() == point) {
                events.add(id);
            }
        });
        hooks.remove(events, process);
    }

    /** What the trace session runs: the inline engine, with the trap engine's hooks behind it. */
    TraceHooks hooks() {
        return hooks;
    }

    /** A definition's probe now runs on the trap engine too (registered after the start): events wait for its. */
    void withTrapEngine() {
        reader.withTrapEngine();
    }

    /**
     * The trap engine's event {@code e} of probe {@code p} (the tracer thread, once the hit thread has
     * resumed): to {@code r}'s sink, in time order with the records. False once the session has ended:
     * the caller delivers it.
     */
    boolean offer(Probe p, EventRecorder r, ProbeEvent e) {
        if (finished.get()) {
            return false;
        }
        String name = trapNames.get(p);
        if (name == null) {
            name = Integer.toString(trapNames.size());
            trapRoutes.put(name, new Route(p, r)); // before its first event goes
            trapNames.put(p, name);
        }
        reader.offer(renamed(e, TRAP_GROUP, name));
        return true;
    }

    /** Records of {@code p} a full ring dropped so far (none if it does not run inline). */
    long lost(Probe p) {
        Integer id = ids.get(p);
        return id == null ? 0 : lost(id);
    }

    /** Records of the inline probes full rings dropped so far. */
    long lost() {
        long n = 0;
        for (int id : ids.values()) {
            n += lost(id);
        }
        return n;
    }

    /** From the rings while they are mapped (they count in shared memory, as the writers drop). */
    private synchronized long lost(int id) {
        return lostAtEnd != null ? lostAtEnd[id] : reader.lost(id);
    }

    /** Tells the handler, if any, of the records each probe lost since it was last told. */
    private void tell() {
        ids.forEach((p, id) -> {
            long now = lost(id);
            if (now > told[id] && deliveries.lost(p, now - told[id])) {
                told[id] = now;
            }
        });
    }

    /** The time order's sink: each event to its probe's, under its definition's name, and lost records told. */
    private final class Sinks implements EventSink {
        @Override
        public void accept(ProbeEvent e) {
            Route r;
            if (TRAP_GROUP.equals(e.group())) {
                r = trapRoutes.get(e.event());
            } else {
                Map<String, Route> group = routes.get(e.group());
                r = group == null ? null : group.get(e.event());
            }
            if (r == null || !r.probe().isEnabled()) {
                return; // disabled (the jump records on), or unregistered (a record made before its jump came out)
            }
            ProbeDefinition d = r.recorder().definition(); // the user's names, which two probes may share
            ProbeEvent named = e.event().equals(d.event()) && e.group().equals(d.group()) ? e : renamed(e, d.group(), d.event());
            deliveries.inline(r.probe(), () -> r.recorder().deliver(named));
        }

        /** About every 100 ms. */
        @Override
        public void flush() {
            tell();
        }

        @Override
        public void close() {
        }
    }

    private static ProbeEvent renamed(ProbeEvent e, String group, String event) {
        return new ProbeEvent(e.comm(), e.pid(), e.tid(), e.cpu(), e.flags(), e.timestampNs(), group, event, e.site(), e.args(), e.stacks());
    }

    /**
     * Once the session has ended: the last events are handed on, the handler told of the last lost
     * records, the rings unmapped here (the program, if it runs on, keeps its inert mapping), lost
     * records reported on the diagnostics. Only the first call does it.
     */
    void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            List<String> lines = reader.finish();
            tell();
            lines.forEach(diagnostics);
        } finally {
            synchronized (this) {
                long[] counts = new long[told.length];
                for (int id = 0; id < counts.length; id++) {
                    counts[id] = reader.lost(id);
                }
                lostAtEnd = counts;
                rings.close();
            }
        }
    }
}
