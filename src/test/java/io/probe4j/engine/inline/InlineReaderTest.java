package io.probe4j.engine.inline;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.ProbeDefinition;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
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
 * every call is either handed on or counted, and the trace says how many were lost.
 */
class InlineReaderTest {
    @Test
    void atItsBoundTheReaderStopsDrainingAndTheRingsCountTheRestLost() throws Throwable {
        LoadedLibrary lib = LoadedLibrary.fixture();
        MethodHandle addLoop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":il_add a=%di b=%si");
        EventLayout layout = EventLayout.of(0, false, d.args());
        int batch = 256 << 10;
        long bound = 4L * batch;
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicLong handedOn = new AtomicLong();
        RecordStage slow = new RecordStage() {
            @Override
            public void records(RecordBatch b) {
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handedOn.addAndGet(b.records());
            }

            @Override
            public void event(ProbeEvent event) {
            }
        };
        // rounds of 1,000 calls (48 KB of records: a ring holds them) with pauses: a reader that is not
        // held back takes them all; 200,000 records, 9.6 MB, far beyond the bound and the rings
        long rounds = 200;
        long calls = 1_000;
        RingLayout rl = RingLayout.forCpus(Runtime.getRuntime().availableProcessors(), 1 << 16, 1);
        List<String> lines;
        try (RingMapping rings = RingMapping.create("probe4j-backlog-test", rl);
                InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings, false, ThisThread.layout())) {
            InlineReader reader = new InlineReader(rings, List.of("uprobes/ev"), TscClock.calibrate(), slow, bound, batch).start();
            for (int r = 0; r < rounds; r++) {
                long ignored = (long) addLoop.invokeExact(calls);
                Thread.sleep(2);
            }
            stuck.countDown();
            lines = reader.finish();
        }
        Matcher m = Pattern.compile("lost (\\d+) records of uprobes/ev").matcher(String.join("\n", lines));
        assertTrue(m.find(), String.join("\n", lines));
        long lost = Long.parseLong(m.group(1));
        assertEquals(rounds * calls, handedOn.get() + lost, "each call was handed on or counted lost");
        long held = (bound + rl.rings() * rl.dataSize()) / 48; // what the backlog and the rings hold
        assertTrue(handedOn.get() <= held, handedOn.get() + " records handed on, more than the bound and the rings hold (" + held + ")");
    }
}
