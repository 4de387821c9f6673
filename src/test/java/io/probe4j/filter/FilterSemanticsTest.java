package io.probe4j.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelTracer;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import io.probe4j.testing.Kernel;

/**
 * What a filter keeps, the kernel against probe4j's evaluator: the fixture's {@code record()} is probed
 * once without a filter and again by many copies of the same probe, each copy with a filter of its own set
 * in the kernel engine's instance. One run of the fixture: every copy sees the same hits (same CPU, same
 * task), so the hits the kernel kept for a copy must be exactly those of the unfiltered event that
 * probe4j's evaluator accepts (with the copy's own event id as {@code common_type}).
 */
@Kernel
class FilterSemanticsTest {
    /** Copies per run: each hit is recorded BATCH + 1 times, and the reader must drain them all at the end. */
    private static final int BATCH = 60;

    @Test
    void theKernelKeepsTheHitsProbe4jsEvaluatorAccepts() throws IOException {
        List<String> filters = corpus();
        assertTrue(filters.size() >= 150, "filters: " + filters.size());
        List<String> mismatches = new ArrayList<>();
        for (int from = 0; from < filters.size(); from += BATCH) {
            runBatch(filters.subList(from, Math.min(filters.size(), from + BATCH)), mismatches);
        }
        System.out.println("filters evaluated against the kernel: " + filters.size() + ", over the same 32 hits");
        assertEquals(List.of(), mismatches);
    }

    /** Valid filters: the handwritten ones the kernel accepts, and random expressions. */
    static List<String> corpus() {
        EventFields fields = EventFields.of(FilterFixture.definition(FilterFixture.entry("g", "e")));
        List<String> out = new ArrayList<>(List.of("common_type > 0", "common_type & 1", "common_pid > 0",
                "common_flags == 0xff", "common_flags & 0x01", "common_flags & 0x02", "common_flags & 0x04",
                "common_flags & 0x08", "common_flags & 0x10", "common_flags & 0x20", "common_flags & 0x40",
                "common_flags & 0x80", "common_preempt_count == 0xff", "common_preempt_count & 0xf0", "__probe_ip & 0xf", "COMM == \"filter_fields\"",
                "COMM ~ \"*ds\"", "COMM ~ \"*fields\"", "COMM ~ \"filter_fields*\"", "COMM ~ \"*_*\"", "COMM ~ \"f?lter*\"",
                "cm ~ \"*ds\"", "name ~ \"*\"", "name ~ \"!*\"", "pair ~ \"a*\""));
        for (String c : FilterCases.handwritten()) {
            if (parses(c, fields)) {
                out.add(c);
            }
        }
        Random r = new Random(13);
        while (out.size() < 240) {
            String c = FilterCases.expression(r, 0);
            if (parses(c, fields)) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean parses(String filter, EventFields fields) {
        try {
            return EventFilter.parse(filter, fields, HostKernel.running()).isPresent();
        } catch (FilterException e) {
            return false;
        }
    }

    private static void runBatch(List<String> filters, List<String> mismatches) throws IOException {
        List<ResolvedProbe> probes = new ArrayList<>();
        probes.add(FilterFixture.resolved(FilterFixture.entry("flt", "all")));
        for (int k = 0; k < filters.size(); k++) {
            probes.add(FilterFixture.resolved(FilterFixture.entry("flt", "f" + k)));
        }
        Collecting sink = new Collecting();
        int[] ids = new int[filters.size()];
        try (KernelTracer tracer = KernelTracer.start(probes, sink, System.err)) {
            for (int k = 0; k < filters.size(); k++) {
                tracer.filter("flt", "f" + k, filters.get(k));
                ids[k] = Integer.parseInt(Files.readString(Path.of("/sys/kernel/tracing/events", tracer.group(), "f" + k, "id")).trim());
            }
            assertEquals(0, tracer.run(List.of(FilterFixture.binary().toString())));
        }
        List<ProbeEvent> all = sink.named("all");
        assertEquals(32, all.size(), "unfiltered hits");
        Set<Long> unstable = flagsChangedWithinTheHit(all, sink.events());
        for (int k = 0; k < filters.size(); k++) {
            String text = filters.get(k);
            EventFilter f = EventFilter.parse(text, EventFields.of(probes.get(k + 1).definition())).orElseThrow();
            boolean onFlags = text.contains("common_flags") || text.contains("common_preempt_count");
            TreeSet<Long> expected = new TreeSet<>();
            for (ProbeEvent e : all) {
                if (f.matches(e, ids[k]) && !(onFlags && unstable.contains(seq(e)))) {
                    expected.add(seq(e));
                }
            }
            TreeSet<Long> kept = new TreeSet<>();
            for (ProbeEvent e : sink.named("f" + k)) {
                if (!f.matches(e, ids[k])) {
                    mismatches.add("[" + text + "] the kernel kept " + e + ", probe4j refuses it");
                }
                if (!(onFlags && unstable.contains(seq(e)))) {
                    kept.add(seq(e));
                }
            }
            if (!expected.equals(kept)) {
                mismatches.add("[" + text + "] kernel kept " + kept + ", probe4j " + expected);
            }
        }
    }

    /**
     * Hits whose flags differ between the events recorded for them: each copy's record takes the flags
     * anew (another CPU may set need-resched meanwhile), so a filter on the flags is compared with the
     * unfiltered event only on hits whose flags every recorded copy agrees on.
     */
    private static Set<Long> flagsChangedWithinTheHit(List<ProbeEvent> all, List<ProbeEvent> every) {
        Map<Long, String> flags = new HashMap<>();
        all.forEach(e -> flags.put(seq(e), e.flags()));
        Set<Long> unstable = new HashSet<>();
        for (ProbeEvent e : every) {
            if (!e.flags().equals(flags.get(seq(e)))) {
                unstable.add(seq(e));
            }
        }
        return unstable;
    }

    private static long seq(ProbeEvent e) {
        return ((Value.Unsigned) e.args().getFirst().value()).value();
    }

    private static final class Collecting implements EventSink {
        private final List<ProbeEvent> events = new ArrayList<>();

        @Override
        public synchronized void accept(ProbeEvent e) {
            events.add(e);
        }

        synchronized List<ProbeEvent> events() {
            return List.copyOf(events);
        }

        synchronized List<ProbeEvent> named(String event) {
            return events.stream().filter(e -> e.event().equals(event)).toList();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
