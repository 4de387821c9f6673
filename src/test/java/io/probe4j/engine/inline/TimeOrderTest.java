package io.probe4j.engine.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.event.EventSink;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Events of several sources, each in its own time order and handed over in batches that interleave
 * (as the inline engine's rings and the trap engine's events come), some of one timestamp: what
 * {@link TimeOrder} releases up to each time is what a stable sort by timestamp of everything added so
 * far puts first, release after release; held as formatted lines (a text sink) or as events (any
 * other sink), the output is the same.
 */
class TimeOrderTest {

    static ProbeEvent event(int source, long seq, long ns) {
        return new ProbeEvent("src" + source, 100 + source, 100 + source, source, ProbeEvent.UPROBE_FLAGS, ns, "uprobes", "ev",
                new ProbeEvent.Site.Entry(0x1000 + source), List.of(new ProbeEvent.Arg("seq", new Value.Unsigned(seq))));
    }

    /** Adds batches of three sources, releasing behind them; returns the order each release gave, and the reference's. */
    static void run(TimeOrder order, List<ProbeEvent> expected, long seed) {
        Random random = new Random(seed);
        long[] clock = new long[3];
        List<ProbeEvent> reference = new ArrayList<>();
        long seq = 0;
        for (int round = 0; round < 200; round++) {
            for (int batch = 0; batch < 3; batch++) {
                int source = random.nextInt(3);
                for (int k = random.nextInt(40); k > 0; k--) {
                    clock[source] += random.nextInt(4) * 500L; // steps of 0: events of one timestamp
                    ProbeEvent e = event(source, seq++, clock[source]);
                    order.add(e);
                    reference.add(e);
                }
            }
            long until = Math.min(clock[0], Math.min(clock[1], clock[2])) - random.nextInt(3000);
            if (round % 7 == 3) {
                continue; // no release this time: more to sort at the next
            }
            order.release(until);
            reference.sort(Comparator.comparingLong(ProbeEvent::timestampNs)); // stable
            while (!reference.isEmpty() && reference.getFirst().timestampNs() <= until) {
                expected.add(reference.removeFirst());
            }
            assertEquals(reference.size(), order.size(), "held after round " + round);
        }
        order.releaseAll();
        reference.sort(Comparator.comparingLong(ProbeEvent::timestampNs));
        expected.addAll(reference);
        assertEquals(0, order.size());
    }

    @Test
    void eventsGoOutByTimestampInTheOrderTheyCameWithinOne() {
        for (long seed = 1; seed <= 5; seed++) {
            List<ProbeEvent> out = new ArrayList<>();
            List<ProbeEvent> expected = new ArrayList<>();
            run(new TimeOrder(EventSink.of(out::add)), expected, seed);
            assertEquals(expected, out, "seed " + seed);
        }
    }

    @Test
    void formattedLinesGoOutInTheSameOrder() {
        for (long seed = 1; seed <= 5; seed++) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            StreamSink sink = StreamSink.of(text, OutputFormat.TEXT, new ProfileTable());
            List<ProbeEvent> expected = new ArrayList<>();
            run(new TimeOrder(sink), expected, seed);
            sink.close();
            StringBuilder want = new StringBuilder(TraceText.HEADER);
            for (ProbeEvent e : expected) {
                want.append(new String(TraceText.line(e), StandardCharsets.ISO_8859_1)).append('\n');
            }
            assertEquals(want.toString(), text.toString(StandardCharsets.ISO_8859_1), "seed " + seed);
            assertEquals(expected.size(), sink.events());
        }
    }

    @Test
    void jsonLinesGoOutInTheSameOrder() {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        StreamSink sink = StreamSink.of(json, OutputFormat.JSON, new ProfileTable());
        List<ProbeEvent> expected = new ArrayList<>();
        run(new TimeOrder(sink), expected, 9);
        sink.close();
        StringBuilder want = new StringBuilder();
        expected.forEach(e -> want.append(io.probe4j.event.JsonLine.line(e)).append('\n'));
        assertEquals(want.toString(), json.toString(StandardCharsets.UTF_8));
    }
}
