package io.probe4j;

import static io.probe4j.InlineApiTest.definition;
import static io.probe4j.InlineApiTest.withStderr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a Java user of the inline engine gets besides the events themselves: the events of a session by
 * timestamp, whichever CPU's ring and whichever engine they come from (as {@code probe4j trace} prints
 * them), and the records a full ring dropped, counted per probe and told as they are lost.
 */
@Timeout(180)
@Tag("integration")
class InlineOrderApiTest {
    private static final Path BIN = Fixtures.compile("inline_order.c", "-pthread");

    /** Fails at the first event that came before an earlier one. */
    private static void assertInTimeOrder(List<ProbeEvent> events) {
        int inversions = 0;
        int first = -1;
        for (int i = 1; i < events.size(); i++) {
            if (events.get(i).timestampNs() < events.get(i - 1).timestampNs()) {
                inversions++;
                first = first < 0 ? i : first;
            }
        }
        if (inversions > 0) {
            fail(inversions + " events of " + events.size() + " came before an earlier one, the first at " + first + ": "
                    + events.get(first - 1) + " then " + events.get(first));
        }
    }

    private static long arg(ProbeEvent e, int k) {
        return ((Value.Signed) e.args().get(k).value()).value();
    }

    /** Runs the fixture with {@code args}, each definition's events to one list; returns it. */
    private static List<ProbeEvent> run(List<String> definitions, List<Probe> probes, String... args) throws Exception {
        List<ProbeEvent> events = new ArrayList<>();
        List<String> command = new ArrayList<>(List.of(BIN.toString()));
        command.addAll(List.of(args));
        try (Tracer t = Tracer.launch(Launch.of(command).withStdout(Path.of("/dev/null"))).engine(Engine.INLINE)) {
            for (String d : definitions) {
                probes.add(t.register(EventProbes.of(definition(d), EventSink.of(events::add), "")));
            }
            assertEquals(0, t.run());
            assertEquals(0, t.lostRecords(), "nothing lost");
        }
        return events;
    }

    @Test
    void theEventsOfEveryThreadAndCpuReachTheSinksInTimeOrder() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one CPU: one ring, in time order anyway");
        List<Probe> probes = new ArrayList<>();
        List<ProbeEvent> events = run(List.of("p:rec " + BIN + ":record idx=%di:s64 j=%si:s64", "r:recr " + BIN + ":record rv=$retval:s64"),
                probes, "4", "3000", "100");
        assertEquals(List.of(Engine.INLINE, Engine.INLINE), probes.stream().map(Probe::engine).toList());
        assertEquals(4 * 3000 * 2, events.size());
        assertTrue(events.stream().mapToInt(ProbeEvent::cpu).distinct().count() > 1, "the threads ran on several CPUs");
        assertInTimeOrder(events);
    }

    /**
     * tiny is too short for the jump: its probe runs on the trap engine, whose events come after the thread
     * resumed, on the tracer thread; they reach the sink among the inline ones by time, under their name.
     */
    @Test
    void theTrapEnginesEventsJoinTheInlineOnesInTimeOrder() throws Exception {
        List<Probe> probes = new ArrayList<>();
        int rounds = 400;
        List<ProbeEvent> events = run(List.of("p:rec " + BIN + ":record idx=%di:s64 j=%si:s64", "p:tiny " + BIN + ":tiny j=%di:s32"),
                probes, "2", Integer.toString(rounds), "200", "2");
        assertEquals(Engine.INLINE, probes.get(0).engine());
        assertEquals(Engine.TRAP, probes.get(1).engine(), probes.get(1).whyNotInline().toString());
        assertInTimeOrder(events);
        Map<Integer, List<String>> byThread = new TreeMap<>();
        events.forEach(e -> byThread.computeIfAbsent(e.tid(), k -> new ArrayList<>()).add(e.event() + " " + arg(e, e.event().equals("rec") ? 1 : 0)));
        List<String> expected = new ArrayList<>();
        for (int j = 0; j < rounds; j++) {
            expected.add("rec " + j);
            if (j % 2 == 0) {
                expected.add("tiny " + j);
            }
        }
        assertEquals(List.of(expected, expected), List.copyOf(byThread.values()), "each thread's calls, in order");
    }

    /**
     * A sink that stalls until the program has ended: the backlog fills, then the rings, and their writers
     * drop records. What the sink got and what was counted lost add up to the calls, the handler was told
     * of every lost record, and standard error says it as {@code probe4j trace} does.
     */
    @Test
    void recordsAFullRingDroppedAreCountedPerProbeAndToldToTheHandler() throws Exception {
        long calls = 12_000_000;
        Path out = Files.createTempFile("inline_order", ".out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicLong delivered = new AtomicLong();
        Map<Probe, Long> told = new ConcurrentHashMap<>();
        try (Tracer t = withStderr(err, () -> Tracer.launch(Launch.of(BIN.toString(), "1", Long.toString(calls)).withStdout(out))
                .engine(Engine.INLINE))) {
            t.onLostRecords((p, n) -> told.merge(p, n, Long::sum));
            long[] last = {Long.MIN_VALUE, Long.MIN_VALUE}; // the call number and time of the last event
            List<String> outOfOrder = new ArrayList<>();
            Probe p = t.register(EventProbes.of(definition("p:rec " + BIN + ":record j=%si:s64"), EventSink.of(e -> {
                if (delivered.getAndIncrement() == 0) {
                    stallUntilWritten(out);
                }
                // decoded long after the clock's recalibrations, the one thread's calls keep their order
                long j = ((Value.Signed) e.args().getFirst().value()).value();
                if (j <= last[0] || e.timestampNs() < last[1]) {
                    outOfOrder.add(last[0] + "@" + last[1] + " then " + j + "@" + e.timestampNs());
                }
                last[0] = j;
                last[1] = e.timestampNs();
            }), ""));
            assertEquals(0, t.run());
            assertEquals(Engine.INLINE, p.engine());
            long lost = p.lostRecords();
            assertTrue(lost > 0, "the rings overflowed");
            assertEquals(calls, delivered.get() + lost, "every call was delivered or counted lost");
            assertEquals(List.of(), outOfOrder.stream().limit(5).toList(), "one thread's calls in order, by number and by time");
            assertEquals(lost, t.lostRecords());
            assertEquals(Map.of(p, lost), told);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("probe4j: warning: the inline engine lost " + lost
                    + " records of uprobes/rec (its ring was full: the reader did not keep up)"), err.toString(StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Waits until the program wrote its last line (at its end), or a minute. */
    private static void stallUntilWritten(Path out) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try {
            while (Files.size(out) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
