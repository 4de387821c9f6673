package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.EventLayout;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.sys.Clock;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entry probes recorded inline, inside the test JVM: the fixture library's function is patched with a
 * jump to a generated trampoline, called through downcall handles, and the records the consumer reads
 * back must be the calls that were made, with the caller's thread, the right CPU range and the time.
 */
class InlineEntryProbeTest {
    static LoadedLibrary lib;
    static TscClock clock;
    static final FunctionDescriptor LONG_LONG_LONG = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);

    @BeforeAll
    static void setUp() {
        lib = LoadedLibrary.fixture();
        clock = TscClock.calibrate();
    }

    static RingMapping rings(int dataSize) {
        return RingMapping.create("probe4j-inline-test", RingLayout.forCpus(Runtime.getRuntime().availableProcessors(),
                dataSize, 8));
    }

    static ProbeDefinition definition(String text) {
        return (ProbeDefinition) Parser.extended().parseLine(text).orElseThrow();
    }

    /** Every event recorded so far, in time order. */
    static List<ProbeEvent> drain(RingReader reader, EventDecoder decoder) {
        List<ProbeEvent> out = new ArrayList<>();
        reader.poll((ring, record, length) -> out.add(decoder.decode(record, length)));
        out.sort(Comparator.comparingLong(ProbeEvent::timestampNs));
        return out;
    }

    static EventDecoder decoder(ProbeDefinition d, EventLayout layout, String function) {
        return new EventDecoder(new EventDecoder.EventSpec[] {
            new EventDecoder.EventSpec(layout, d.group(), d.event(), lib.address(function))}, clock);
    }

    /**
     * A writer reads a ring's head, then its tail: held up between the two loads, it may find the tail past
     * the head it read (the other writers of the ring went on, and the reader took all they wrote). That
     * is room, not a full ring: no record is counted lost (a full suite run once saw one lost of 24,000 so).
     * Here every ring is set up as such a writer sees it.
     */
    @Test
    void aTailPastTheHeadAWriterReadIsNoFullRing() throws Throwable {
        ProbeDefinition d = definition("p:il_add " + lib.path + ":il_add a=%di b=%si:s32");
        EventLayout layout = EventLayout.of(0, false, d.args());
        MethodHandle add = lib.handle("il_add", LONG_LONG_LONG);
        try (RingMapping rings = rings(1 << 20); InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings)) {
            for (int i = 0; i < rings.layout().rings(); i++) {
                rings.memory().setLong(rings.layout().ringOffset(i) + RingLayout.TAIL, 4096);
            }
            assertEquals(5, (long) add.invokeExact(2L, 3L));
            assertEquals(0, new RingReader(rings).lost(0), "records counted lost");
        }
    }

    @Test
    void everyCallIsRecordedWithItsRegisterArgumentsThreadAndTimeAndTheFunctionStillReturnsItsResult() throws Throwable {
        ProbeDefinition d = definition("p:il_add " + lib.path + ":il_add a=%di b=%si:s32 first=%di:u8");
        EventLayout layout = EventLayout.of(0, false, d.args());
        EventDecoder decoder = decoder(d, layout, "il_add");
        MethodHandle add = lib.handle("il_add", LONG_LONG_LONG);
        long before;
        long after;
        List<ProbeEvent> events;
        try (RingMapping rings = rings(1 << 20); InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings)) {
            RingReader reader = new RingReader(rings);
            before = Clock.monotonicNanos();
            for (long i = 0; i < 1000; i++) {
                assertEquals(i + (3 * i - 700), (long) add.invokeExact(i, 3 * i - 700));
            }
            after = Clock.monotonicNanos();
            p.close();
            assertEquals(5, (long) add.invokeExact(2L, 3L), "the function is whole again");
            events = drain(reader, decoder);
            assertEquals(0, reader.lost(0));
        }
        assertEquals(1000, events.size());
        long tid = ThisThread.tid();
        for (int i = 0; i < 1000; i++) {
            ProbeEvent e = events.get(i);
            assertEquals(List.of(new ProbeEvent.Arg("a", new Value.Hex(i)), new ProbeEvent.Arg("b", new Value.Signed(3L * i - 700)),
                    new ProbeEvent.Arg("first", new Value.Unsigned(i & 0xff))), e.args());
            assertEquals(tid, e.tid());
            assertEquals(ProcessHandle.current().pid(), e.pid());
            assertTrue(e.cpu() >= 0 && e.cpu() < Runtime.getRuntime().availableProcessors(), "cpu " + e.cpu());
            assertEquals(new ProbeEvent.Site.Entry(lib.address("il_add")), e.site());
            assertTrue(e.timestampNs() >= before - 5_000 && e.timestampNs() <= after + 5_000,
                    e.timestampNs() + " not within " + before + ".." + after);
        }
        System.out.println(new String(TraceText.line(events.getFirst()), StandardCharsets.UTF_8));
    }

    @Test
    void fourThreadsCallingAtOnceEachGetEveryCallRecordedInOrderWithNothingLost() throws Exception {
        ProbeDefinition d = definition("p:il_add " + lib.path + ":il_add i=%di:u64 one=%si:u64");
        EventLayout layout = EventLayout.of(0, false, d.args());
        EventDecoder decoder = decoder(d, layout, "il_add");
        MethodHandle loop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        long n = 50_000; // 200,000 records of 48 bytes: room for all in any one ring, however the threads move
        Map<Integer, List<ProbeEvent>> byThread = new HashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (RingMapping rings = rings(16 << 20); InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings);
                ExecutorService pool = Executors.newFixedThreadPool(5)) {
            RingReader reader = new RingReader(rings);
            Future<?> consumer = pool.submit(() -> {
                while (true) {
                    boolean ended = !running.get(); // read before the poll: then it sees every record written
                    if (reader.poll((ring, record, length) -> {
                        ProbeEvent e = decoder.decode(record, length);
                        byThread.computeIfAbsent(e.tid(), t -> new ArrayList<>()).add(e);
                    }) == 0 && ended) {
                        return null;
                    }
                }
            });
            List<Future<Long>> callers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                callers.add(pool.submit((Callable<Long>) () -> {
                    try {
                        return (long) loop.invokeExact(n);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Future<Long> f : callers) {
                assertEquals(n * (n - 1) / 2 + n, f.get());
            }
            running.set(false);
            consumer.get();
            assertEquals(0, reader.lost(0), "lost records");
            System.out.printf("4 threads x %d calls: %d overshoots, %d abandoned, %d resyncs%n", n, reader.overshoots(),
                    reader.abandoned(), reader.resyncs());
        }
        assertEquals(4, byThread.size());
        for (List<ProbeEvent> seen : byThread.values()) {
            assertEquals(n, seen.size());
            seen.sort(Comparator.comparingLong(ProbeEvent::timestampNs)); // a thread that moved wrote to two rings
            for (int i = 0; i < n; i++) {
                assertEquals(List.of(new ProbeEvent.Arg("i", new Value.Unsigned(i)), new ProbeEvent.Arg("one", new Value.Unsigned(1))),
                        seen.get(i).args());
            }
        }
    }

    @Test
    void withSmallRingsEveryCallIsEitherReadWholeOrCountedLost() throws Exception {
        ProbeDefinition d = definition("p:il_strlen " + lib.path + ":il_strlen s=+0(%di):string k=%si:u64");
        EventLayout layout = EventLayout.of(0, false, d.args());
        EventDecoder decoder = decoder(d, layout, "il_strlen");
        MethodHandle loop = lib.handle("il_strlen_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, java.lang.foreign.ValueLayout.ADDRESS));
        long n = 300_000; // 56-byte records through 64 KiB rings: many laps, records across the end of the data area
        List<ProbeEvent> seen = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (RingMapping rings = rings(1 << 16); InstalledProbe p = InstalledProbe.entry(lib, "il_strlen", 0, layout, rings);
                java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
                ExecutorService pool = Executors.newSingleThreadExecutor()) {
            java.lang.foreign.MemorySegment name = arena.allocateFrom("LOCPATH");
            RingReader reader = new RingReader(rings);
            Future<?> consumer = pool.submit(() -> {
                while (true) {
                    boolean ended = !running.get(); // read before the poll: then it sees every record written
                    if (reader.poll((ring, record, length) -> seen.add(decoder.decode(record, length))) == 0 && ended) {
                        return null;
                    }
                }
            });
            assertEquals(n * (n - 1) / 2 + 7 * n, (long) loop.invokeExact(n, name));
            running.set(false);
            consumer.get();
            System.out.printf("%d calls: %d read, %d lost, %d overshoots, %d abandoned, %d resyncs%n", n, seen.size(), reader.lost(0),
                    reader.overshoots(), reader.abandoned(), reader.resyncs());
            assertEquals(n, seen.size() + reader.lost(0));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        seen.sort(Comparator.comparingLong(ProbeEvent::timestampNs));
        long previous = -1;
        for (ProbeEvent e : seen) {
            assertEquals(new ProbeEvent.Arg("s", new Value.Text("LOCPATH".getBytes(StandardCharsets.US_ASCII))), e.args().get(0));
            long k = ((Value.Unsigned) e.args().get(1).value()).value();
            assertTrue(k > previous && k < n, k + " after " + previous);
            previous = k;
        }
    }
}
