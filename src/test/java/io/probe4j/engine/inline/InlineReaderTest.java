package io.probe4j.engine.inline;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.event.ValueDecoder;
import io.probe4j.spec.ProbeDefinition;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reader's backlog, with the fixture library's function patched in this JVM (real trampolines
 * writing into the rings): while the decoding side is stuck, the reader takes no more than its bound
 * holds (not all, though it could keep up), the rings fill, and the trampolines count the rest as lost;
 * every call is either handed on or counted, and the trace says how many were lost. A recording is written
 * by the reader itself, without the backlog: while its file is stuck, only the rings hold records (and the
 * recording counts the rest lost).
 */
class InlineReaderTest {
    static final LoadedLibrary LIB = LoadedLibrary.fixture();
    static final ProbeDefinition ADD = InlineEntryProbeTest.definition("p:ev " + LIB.path + ":il_add a=%di b=%si");
    // rounds of 1,000 calls (48 KB of records: a ring holds them) with pauses: a reader that is not
    // held back takes them all; 200,000 records, 9.6 MB, far beyond the bound and the rings
    static final long ROUNDS = 200;
    static final long CALLS = 1_000;
    static final RingLayout RINGS = RingLayout.forCpus(Runtime.getRuntime().availableProcessors(), 1 << 16, 1);

    /** Calls the probed function ROUNDS x CALLS times with {@code stage} stuck until the calls are done; returns what the trace said. */
    static List<String> callsWhileStuck(RecordStage stage, TscClock clock, CountDownLatch stuck, long backlog, int batch) throws Throwable {
        MethodHandle addLoop = LIB.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        try (RingMapping rings = RingMapping.create("probe4j-backlog-test", RINGS);
                InstalledProbe p = InstalledProbe.entry(LIB, "il_add", 0, EventLayout.of(0, false, ADD.args()), rings, false,
                        ThisThread.layout())) {
            InlineReader reader = new InlineReader(rings, List.of("uprobes/ev"), clock, stage, backlog, batch).start();
            for (int r = 0; r < ROUNDS; r++) {
                long ignored = (long) addLoop.invokeExact(CALLS);
                Thread.sleep(2);
            }
            stuck.countDown();
            return reader.finish();
        }
    }

    static long lost(List<String> lines) {
        Matcher m = Pattern.compile("lost (\\d+) records of uprobes/ev").matcher(String.join("\n", lines));
        assertTrue(m.find(), String.join("\n", lines));
        return Long.parseLong(m.group(1));
    }

    static void await(CountDownLatch stuck) {
        try {
            stuck.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void atItsBoundTheReaderStopsDrainingAndTheRingsCountTheRestLost() throws Throwable {
        int batch = 256 << 10;
        long bound = 4L * batch;
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicLong handedOn = new AtomicLong();
        RecordStage slow = new RecordStage() {
            @Override
            public void records(RecordBatch b) {
                await(stuck);
                handedOn.addAndGet(b.records());
            }

            @Override
            public void event(ProbeEvent event) {
            }
        };
        long lost = lost(callsWhileStuck(slow, TscClock.calibrate(), stuck, bound, batch));
        assertEquals(ROUNDS * CALLS, handedOn.get() + lost, "each call was handed on or counted lost");
        long held = (bound + RINGS.rings() * RINGS.dataSize()) / 48; // what the backlog and the rings hold
        assertTrue(handedOn.get() <= held, handedOn.get() + " records handed on, more than the bound and the rings hold (" + held + ")");
    }

    @Test
    void aRecordingIsWrittenByTheReaderAndWhileItsFileIsStuckOnlyTheRingsHoldRecords() throws Throwable {
        Path file = Files.createTempFile("probe4j-reader-test", ".bin");
        try {
            CountDownLatch stuck = new CountDownLatch(1);
            TscClock clock = TscClock.calibrate();
            RecordingWriter writer = new RecordingWriter(file, List.of(ADD.resolvedTo(ADD.target().path(), 0)), clock);
            RecordStage slowFile = new WatchedStage(writer) {
                @Override
                void seen(RecordBatch b) {
                    await(stuck);
                }
            };
            // a backlog that would hold every record: the recording does not use it
            long lost = lost(callsWhileStuck(slowFile, clock, stuck, 64 << 20, 1 << 20));
            List<ProbeEvent> events = new ArrayList<>();
            Losses recorded;
            try (Recording r = Recording.open(file)) {
                EventDecoder decoder = r.decoder();
                recorded = r.replay(new DecodingStage(decoder, events::add));
            }
            assertEquals(lost, recorded.lost()[0], "the recording's count of lost records");
            assertEquals(ROUNDS * CALLS, events.size() + lost, "each call was recorded or counted lost");
            long held = (RINGS.dataSize() / 2 + RINGS.rings() * RINGS.dataSize()) / 48; // what one copy and the rings hold
            assertTrue(events.size() <= held, events.size() + " records recorded, more than one copy and the rings hold (" + held + ")");
            Value one = ValueDecoder.fromWord(ADD.args().get(1).type(), 1); // il_add_loop calls il_add(i, 1)
            for (ProbeEvent e : events) {
                assertEquals(one, e.args().get(1).value(), e.toString());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
