package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.spec.ProbeDefinition;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Return probes recorded inline in the test JVM: the return value and the address returned to, from
 * one and four threads, the kernel's depth cap on recursion, tail calls (both functions reported,
 * innermost first, with the caller's return address) and frames dropped by {@code longjmp}.
 */
class InlineReturnProbeTest {
    static LoadedLibrary lib;
    static TscClock clock;
    static final FunctionDescriptor LONG_LONG = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);

    @BeforeAll
    static void setUp() {
        lib = LoadedLibrary.fixture();
        clock = TscClock.calibrate();
    }

    /** Runs {@code calls} with return probes on {@code functions} (each {@code rv=$retval:s64}); the events in time order. */
    static List<ProbeEvent> traced(List<String> functions, Callable<Void> calls) throws Exception {
        List<EventLayout> layouts = new ArrayList<>();
        EventDecoder.EventSpec[] specs = new EventDecoder.EventSpec[functions.size()];
        for (int i = 0; i < functions.size(); i++) {
            ProbeDefinition d = InlineEntryProbeTest.definition("r:" + functions.get(i) + "_ret " + lib.path + ":" + functions.get(i)
                    + " rv=$retval:s64");
            layouts.add(EventLayout.of(i, true, d.args()));
            specs[i] = new EventDecoder.EventSpec(layouts.get(i), d.group(), d.event(), lib.address(functions.get(i)));
        }
        EventDecoder decoder = new EventDecoder(specs, clock);
        List<ProbeEvent> out = new ArrayList<>();
        try (RingMapping rings = InlineEntryProbeTest.rings(16 << 20);
                InstalledReturnProbes p = new InstalledReturnProbes(lib, functions, layouts, rings)) {
            calls.call();
            RingReader reader = new RingReader(rings);
            while (reader.poll((ring, record, length) -> out.add(decoder.decode(record, length))) > 0) {
                // until empty
            }
        }
        out.sort(Comparator.comparingLong(ProbeEvent::timestampNs));
        return out;
    }

    static long rv(ProbeEvent e) {
        return ((Value.Signed) e.args().getFirst().value()).value();
    }

    @Test
    void everyReturnIsRecordedWithItsValueAndTheAddressReturnedTo() throws Exception {
        MethodHandle loop = lib.handle("il_add_loop", LONG_LONG);
        List<ProbeEvent> events = traced(List.of("il_add"), () -> {
            assertEquals(1000L * 999 / 2 + 1000, callLong(loop, 1000));
            return null;
        });
        assertEquals(1000, events.size());
        long back = InlineFetchArgsTest.returnAddressOfIndirectCall(lib, "il_add_loop");
        for (int i = 0; i < 1000; i++) {
            assertEquals(new ProbeEvent.Site.Return(lib.address("il_add"), back), events.get(i).site());
            assertEquals(i + 1, rv(events.get(i)));
            assertEquals("il_add_ret", events.get(i).event());
        }
    }

    static long callLong(MethodHandle h, long arg) {
        try {
            return (long) h.invokeExact(arg);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Test
    void fourThreadsEachGetTheirOwnReturns() throws Exception {
        MethodHandle loop = lib.handle("il_add_loop", LONG_LONG);
        long n = 20_000;
        List<ProbeEvent> events = traced(List.of("il_add"), () -> {
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<Long>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    fs.add(pool.submit(() -> callLong(loop, n)));
                }
                for (Future<Long> f : fs) {
                    assertEquals(n * (n - 1) / 2 + n, f.get());
                }
            }
            return null;
        });
        Map<Integer, List<Long>> byThread = new HashMap<>();
        events.forEach(e -> byThread.computeIfAbsent(e.tid(), t -> new ArrayList<>()).add(rv(e)));
        assertEquals(4, byThread.size());
        for (List<Long> values : byThread.values()) {
            assertEquals(n, values.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i + 1, values.get(i));
            }
        }
    }

    @Test
    void recursionDeeperThanSixtyFourReportsTheOutermostSixtyFourReturns() throws Exception {
        MethodHandle depth = lib.handle("il_depth", LONG_LONG);
        List<ProbeEvent> events = traced(List.of("il_depth"), () -> {
            assertEquals(100L * 101 / 2, callLong(depth, 100));
            return null;
        });
        List<Long> expected = new ArrayList<>();
        for (long k = 100 - 63; k <= 100; k++) { // the calls for n = 100 .. 37 were hijacked; innermost returns first
            expected.add(k * (k + 1) / 2);
        }
        assertEquals(expected, events.stream().map(InlineReturnProbeTest::rv).toList());
    }

    @Test
    void aTailCallReportsBothFunctionsInnermostFirstWithTheCallersReturnAddress() throws Exception {
        MethodHandle tail = lib.handle("il_tail", LONG_LONG);
        List<ProbeEvent> events = traced(List.of("il_tail", "il_add"), () -> {
            assertEquals(7L, callLong(tail, 5));
            return null;
        });
        assertEquals(List.of("il_add_ret", "il_tail_ret"), events.stream().map(ProbeEvent::event).toList());
        assertEquals(List.of(7L, 7L), events.stream().map(InlineReturnProbeTest::rv).toList());
        long back = ((ProbeEvent.Site.Return) events.get(1).site()).returnAddress();
        assertEquals(new ProbeEvent.Site.Return(lib.address("il_add"), back), events.get(0).site());
    }

    @Test
    void framesLeftByLongjmpAreDroppedWithoutARecord() throws Exception {
        MethodHandle jumper = lib.handle("il_longjmp_then_add", LONG_LONG);
        List<ProbeEvent> events = traced(List.of("il_leave", "il_add"), () -> {
            for (int i = 0; i < 100; i++) { // more than the depth cap: dropped entries must not pile up
                assertEquals(6L, callLong(jumper, 5));
            }
            return null;
        });
        assertEquals(100, events.size());
        for (ProbeEvent e : events) {
            assertEquals("il_add_ret", e.event());
            assertEquals(6L, rv(e));
        }
    }

    @Test
    void aFrameLeftByLongjmpUnderAReturningFunctionIsDroppedThere() throws Exception {
        MethodHandle catcher = lib.handle("il_catch", LONG_LONG);
        List<ProbeEvent> events = traced(List.of("il_catch", "il_leave"), () -> {
            assertEquals(105L, callLong(catcher, 5));
            assertEquals(100L, callLong(catcher, 0)); // no longjmp: both return
            return null;
        });
        assertEquals(List.of("il_catch_ret 105", "il_leave_ret 0", "il_catch_ret 100"),
                events.stream().map(e -> e.event() + " " + rv(e)).toList());
    }
}
