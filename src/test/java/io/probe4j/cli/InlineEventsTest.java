package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.inline.EventDecoder;
import io.probe4j.engine.inline.InlineEvents;
import io.probe4j.engine.inline.InlineReader;
import io.probe4j.engine.inline.Losses;
import io.probe4j.engine.inline.RecordBatch;
import io.probe4j.engine.inline.RecordStage;
import io.probe4j.engine.inline.RecordingWriter;
import io.probe4j.engine.inline.RingMapping;
import io.probe4j.engine.inline.RingRecords;
import io.probe4j.engine.inline.TscClock;
import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import io.probe4j.event.Value;
import io.probe4j.spec.FileLookup;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The inline engine's consumer side without a traced process: records written into two rings the way
 * trampolines write them, taken by {@link InlineReader} and printed by {@link InlineEvents}. The events of
 * both rings (and the trap engine's) come out in time order, and {@code probe4j report} prints a recording
 * of the same records byte for byte as the trace printed them.
 */
class InlineEventsTest {
    static final int PID = (int) ProcessHandle.current().pid();
    static final List<ProbeDefinition> DEFINITIONS = List.of(
            definition("p:grp/ev0 /bin/true:0x10 a=%di:u64 b=%si:s32"),
            definition("r:grp/ev1 /bin/true:0x20 rv=$retval:s64 name=$comm"));
    static final EventDecoder.Sites SITES = (pid, event) -> 0x5000L + 0x100L * event;

    static ProbeDefinition definition(String text) {
        return (ProbeDefinition) new Parser(Parser.Mode.EXTENDED, any -> new FileLookup.Result.Regular()).parseLine(text).orElseThrow();
    }

    static EventDecoder.EventSpec[] specs() {
        EventDecoder.EventSpec[] specs = new EventDecoder.EventSpec[DEFINITIONS.size()];
        for (int e = 0; e < specs.length; e++) {
            ProbeDefinition d = DEFINITIONS.get(e);
            specs[e] = new EventDecoder.EventSpec(EventLayout.of(e, d.isReturn(), d.args()), d.group(), d.event(), 0);
        }
        return specs;
    }

    /** A clock of one tick a nanosecond whose newest calibration is long past: the first recalibration changes it. */
    static TscClock clock() {
        return TscClock.of(new long[] {0, 0, 1_000_000_000L, 1_000_000_000L});
    }

    static RingMapping twoRings() {
        return RingMapping.create("probe4j-events-test", new RingLayout(2, 1 << 16, DEFINITIONS.size()));
    }

    /** What a trace prints, into {@code text}. */
    static InlineEvents printer(TscClock clock, ByteArrayOutputStream text) {
        return new InlineEvents(new EventDecoder(specs(), clock), InlineEvents.keepAll(),
                StreamSink.of(text, OutputFormat.TEXT, new ProfileTable()));
    }

    @Test
    void recordsOfTwoRingsComeOutInTimeOrder() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TscClock clock = clock();
        InlineEvents printer = printer(clock, text);
        try (RingMapping rings = twoRings()) {
            InlineReader reader = new InlineReader(rings, List.of("grp/ev0", "grp/ev1"), SITES, clock, printer, 4 << 20, 1 << 20);
            // ring 0 has the even hits, ring 1 the odd ones; each ring in its own order, as a thread that moves between CPUs leaves them
            for (int k = 0; k < 600; k++) {
                assertTrue(RingRecords.write(rings, k % 2, 0, 1_000_000L + 1000L * k, PID, PID, k, -k));
            }
            reader.start();
            assertEquals(List.of(), reader.finish());
            printer.flush();
        }
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile(": ev0: \\(0x5000\\) a=(\\d+) b=").matcher(text.toString());
        while (m.find()) {
            values.add(Long.parseLong(m.group(1)));
        }
        assertEquals(java.util.stream.LongStream.range(0, 600).boxed().toList(), values, text.toString());
    }

    /**
     * Records in rounds (the decoding thread releases and recalibrates the clock between them), thread
     * names, sites that move from round to round (as an exec moves them), events of the trap engine with
     * every kind of value: the text {@code report} prints from the recording is the trace's, byte for byte.
     */
    @Test
    void reportPrintsWhatTheTracePrinted() throws Exception {
        Path file = Files.createTempFile("probe4j-recording", ".bin");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TscClock clock = clock();
        InlineEvents live = printer(clock, text);
        RecordingWriter writer = new RecordingWriter(file, DEFINITIONS, clock);
        int[] clocks = {0};
        java.util.concurrent.atomic.AtomicLong moved = new java.util.concurrent.atomic.AtomicLong();
        EventDecoder.Sites sites = (pid, event) -> SITES.address(pid, event) + moved.get();
        try (RingMapping rings = twoRings()) {
            InlineReader reader = new InlineReader(rings, List.of("grp/ev0", "grp/ev1"), sites, clock, new RecordStage() {
                @Override
                public void records(RecordBatch batch) {
                    live.records(batch);
                    writer.records(batch);
                }

                @Override
                public void event(ProbeEvent event) {
                    live.event(event);
                    writer.event(event);
                }

                @Override
                public void clock(TscClock c) {
                    clocks[0]++;
                    live.clock(c);
                    writer.clock(c);
                }

                @Override
                public void release(long until) {
                    live.release(until);
                    writer.release(until);
                }

                @Override
                public void flush() {
                    live.flush();
                    writer.flush();
                }

                @Override
                public void end(Losses losses) {
                    live.end(losses);
                    writer.end(losses);
                }
            }, 4 << 20, 1 << 20).start();
            long t = clock.state()[2];
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 300; k++, t += 700) {
                    RingRecords.write(rings, k % 2, k % 3 == 0 ? 1 : 0, t + (k % 2) * 5000, PID, PID, 0x400000L + k, k - 150);
                }
                reader.offer(new ProbeEvent("tr\u00e9p", PID, PID + 1, 1, ProbeEvent.UPROBE_FLAGS, clock.nanos(t - 3000), "grp", "trapped",
                        new ProbeEvent.Site.Return(0x7000, 0x7123), List.of(
                        new ProbeEvent.Arg("s", new Value.Text(new byte[] {'a', (byte) 0xff, 0, 'z'})),
                        new ProbeEvent.Arg("arr", new Value.Array(List.of(new Value.Unsigned(-1), new Value.Signed(-2),
                                new Value.Hex(0xabc), new Value.Bits(5)))),
                        new ProbeEvent.Arg("c", new Value.Char((byte) 'q')), new ProbeEvent.Arg("f", new Value.Fault()))));
                Thread.sleep(60);
                moved.addAndGet(0x10000);
            }
            RingRecords.write(rings, 0, 0, Long.MAX_VALUE / 2, PID, PID, 1, 2); // later than any release: out at the end
            assertEquals(List.of(), reader.finish());
            live.flush();
        }
        Cli.Result report = Cli.run("report", file.toString());
        Files.delete(file);
        assertEquals(0, report.status(), report.err());
        assertTrue(clocks[0] > 0, "the clock was recalibrated during the trace");
        String printed = text.toString();
        assertEquals(4 + 5 * 301 + 1, printed.lines().count(), printed);
        assertTrue(printed.contains("trapped: (0x7123 <- 0x7000) s=\"a"), printed);
        assertTrue(printed.contains(": ev0: (0x5000)") && printed.contains(": ev0: (0x45000)"), "the sites moved: " + printed);
        assertEquals(printed, report.out());
    }
}
