package io.probe4j;

import io.probe4j.engine.inline.InlineProbe;
import io.probe4j.engine.inline.InlineProbes;
import io.probe4j.engine.inline.InlineReader;
import io.probe4j.engine.inline.RingMapping;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.trap.Uprobes;
import io.probe4j.event.ProbeEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A tracer's inline probes for one session: the rings they record into, the engine's hooks over the
 * trap engine's (which keeps the other probes in the same session), and the consumer thread that
 * decodes the records and hands each event to its probe's sink.
 */
final class InlineRun {
    /** Bytes of each per-CPU ring: room for tens of thousands of records while the reader sleeps. */
    private static final long RING_BYTES = 4L << 20;

    /** Where the records of one inline probe go. */
    record Route(Probe probe, EventRecorder recorder) {
    }

    private final Deliveries deliveries;
    private final RingMapping rings;
    private final InlineProbes hooks;
    private final InlineReader reader;
    /** By the records' group, then event name (unique among the inline probes). */
    private final Map<String, Map<String, Route>> routes = new HashMap<>();
    private final Consumer<String> diagnostics;
    private final AtomicBoolean finished = new AtomicBoolean();

    /** Maps the rings and starts the consumer thread for the probes {@code inline} (each with the inline engine's probe). */
    InlineRun(Deliveries deliveries, Map<Probe, InlineProbe> inline, Uprobes trap, Consumer<String> diagnostics) {
        this.deliveries = deliveries;
        this.diagnostics = diagnostics;
        inline.forEach((p, ip) -> routes.computeIfAbsent(ip.definition().group(), g -> new HashMap<>())
                .put(ip.definition().event(), new Route(p, EventRecorder.of(p.info()).orElseThrow())));
        List<InlineProbe> probes = inline.values().stream().sorted(Comparator.comparingInt(InlineProbe::event)).toList();
        this.rings = RingMapping.create("probe4j-inline",
                RingLayout.forCpus(Runtime.getRuntime().availableProcessors(), RING_BYTES, probes.size()));
        try {
            this.hooks = new InlineProbes(trap, probes, rings, trap::journalPatch, diagnostics);
            this.reader = new InlineReader(rings, probes, hooks, this::deliver).start();
        } catch (RuntimeException | Error e) {
            rings.close();
            throw e;
        }
    }

    /** What the trace session runs: the inline engine, with the trap engine's hooks behind it. */
    TraceHooks hooks() {
        return hooks;
    }

    /** On the consumer thread (or the tracer thread at a thread's exit): one decoded record. */
    private void deliver(ProbeEvent e) {
        Map<String, Route> group = routes.get(e.group());
        Route r = group == null ? null : group.get(e.event());
        if (r == null || !r.probe().isEnabled()) {
            return; // disabled or unregistered: its jump records until the session ends, nobody listens
        }
        String event = r.recorder().definition().event(); // the user's name, which two probes may share
        ProbeEvent named = e.event().equals(event) ? e : new ProbeEvent(e.comm(), e.pid(), e.tid(), e.cpu(), e.flags(),
                e.timestampNs(), e.group(), event, e.site(), e.args(), e.stacks());
        deliveries.inline(r.probe(), () -> r.recorder().deliver(named));
    }

    /**
     * Once the session has ended: the last records are handed on, the rings unmapped here (the program,
     * if it runs on, keeps its inert mapping), lost records reported. Only the first call does it.
     */
    void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            reader.finish().forEach(diagnostics);
        } finally {
            rings.close();
        }
    }
}
