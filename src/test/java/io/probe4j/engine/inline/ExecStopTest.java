package io.probe4j.engine.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.sys.Procfs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the reader does at an exec stop, with the engine's side played by the test: an exec keeps the pid
 * and the thread id, but the kernel renames the thread before the stop and the engine then moves the
 * probes to the new image. Records the old image wrote that are still in the rings at the stop keep the
 * old image's name and address, however late they are decoded; the new image's get the new ones. A
 * thread of this JVM is the program (its name is what {@code /proc} says, as for a traced thread).
 */
class ExecStopTest {
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long OLD_SITE = 0x7f00_0000_1000L, NEW_SITE = 0x7f00_0000_9000L;

    /** The engine's sites: where probe 0 is in this process. */
    private final Map<Long, Long> engine = new ConcurrentHashMap<>();
    private final EventDecoder.Sites sites = (pid, event) -> engine.getOrDefault((long) pid << 32 | event, 0L);
    private final List<ProbeEvent> out = Collections.synchronizedList(new ArrayList<>());

    private RecordStage decoding() {
        EventLayout layout = EventLayout.of(0, false, InlineEntryProbeTest.definition("p:ev /bin/true:0x10 a=%di:u64 b=%si:u64").args());
        EventDecoder decoder = new EventDecoder(new EventDecoder.EventSpec[] {new EventDecoder.EventSpec(layout, "grp", "ev", 0)},
                TscClock.calibrate());
        return new DecodingStage(decoder, out::add);
    }

    /** Runs {@code body} on a thread called {@code name}, given its id. */
    private static void asThread(String name, ThrowingTid body) throws Exception {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run(Procfs.currentTid());
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
    }

    @FunctionalInterface
    private interface ThrowingTid {
        void run(int tid) throws Exception;
    }

    /** {@code n} records of thread {@code tid} on both rings, argument {@code a} numbering them from {@code first}. */
    private static void hits(RingMapping rings, int tid, int first, int n) {
        for (int k = first; k < first + n; k++) {
            assertTrue(RingRecords.write(rings, k % 2, 0, 1_000_000L + k, PID, tid, k, 0));
        }
    }

    /** (name, address) of each record by its argument a, in order of a. */
    private Map<Long, String> seen() {
        Map<Long, String> by = new TreeMap<>();
        synchronized (out) {
            for (ProbeEvent e : out) {
                long a = ((Value.Unsigned) e.args().getFirst().value()).value();
                by.put(a, e.comm() + "@" + Long.toHexString(((ProbeEvent.Site.Entry) e.site()).probeAddress()));
            }
        }
        return by;
    }

    @Test
    void recordsInTheRingsAtTheExecStopKeepTheOldImagesNameAndAddress() throws Exception {
        engine.put((long) PID << 32, OLD_SITE);
        try (RingMapping rings = RingMapping.create("probe4j-exec-test", new RingLayout(2, 1 << 16, 1))) {
            // not started yet: the records sit in the rings, as they do when the exec comes right after the hits
            InlineReader reader = new InlineReader(rings, List.of("grp/ev"), sites, TscClock.calibrate(), decoding(), 4 << 20, 1 << 20);
            asThread("old-image", tid -> {
                hits(rings, tid, 0, 100);
                Thread.currentThread().setName("new-image"); // the kernel names the thread after the new program
                reader.execed(PID, List.of(tid), "old-image"); // the engine at the exec stop, then the probes move
                engine.put((long) PID << 32, NEW_SITE);
                hits(rings, tid, 100, 100);
                reader.start();
                reader.finish();
            });
        }
        Map<Long, String> by = seen();
        assertEquals(200, by.size(), by.toString());
        by.forEach((a, what) -> assertEquals(a < 100 ? "old-image@7f0000001000" : "new-image@7f0000009000", what, "record " + a));
    }

    /**
     * At its bound the backlog takes only part of what the rings hold at the exec stop: the rest, taken
     * when the decoding thread has caught up, after the probes moved, is named and placed as before.
     */
    @Test
    void recordsLeftInTheRingsByAFullBacklogKeepThemToo() throws Exception {
        engine.put((long) PID << 32, OLD_SITE);
        int batch = 2 * (io.probe4j.engine.ring.RecordFormat.MAX_LENGTH + 8);
        int old = 2 * batch / 48 + 100; // more than the one batch the backlog holds, in records of 48 bytes
        CountDownLatch stuck = new CountDownLatch(1);
        RecordStage decoding = decoding();
        RecordStage slow = new RecordStage() {
            @Override
            public void records(RecordBatch b) {
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                decoding.records(b);
            }

            @Override
            public void event(ProbeEvent event) {
            }
        };
        try (RingMapping rings = RingMapping.create("probe4j-exec-test", new RingLayout(2, 1 << 20, 1))) {
            InlineReader reader = new InlineReader(rings, List.of("grp/ev"), sites, TscClock.calibrate(), slow, batch, batch);
            asThread("old-image", tid -> {
                hits(rings, tid, 0, old);
                Thread.currentThread().setName("new-image");
                reader.execed(PID, List.of(tid), "old-image");
                engine.put((long) PID << 32, NEW_SITE);
                reader.start();
                stuck.countDown();
                reader.finish();
            });
        }
        Map<Long, String> by = seen();
        assertEquals(old, by.size());
        by.forEach((a, what) -> assertEquals("old-image@7f0000001000", what, "record " + a));
    }
}
