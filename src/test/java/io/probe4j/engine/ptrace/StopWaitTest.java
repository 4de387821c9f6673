package io.probe4j.engine.ptrace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The poll window's policy: full while stops come quickly, shrinking while they come late, growing back. */
class StopWaitTest {
    static final long MAX = StopWait.MAX_NS, MIN = StopWait.MIN_POLL_MICROS * 1000;

    @Test
    void stopsInQuickSuccessionKeepTheWholeWindow() {
        StopWait w = new StopWait();
        for (int i = 0; i < 100; i++) {
            w.stopCame(20_000); // 20 µs: a tight loop of hits
        }
        assertEquals(MAX, w.windowNs());
    }

    @Test
    void stopsFarApartShrinkItToTheFloorAndQuickOnesGrowItBack() {
        StopWait w = new StopWait();
        w.stopCame(5_000_000); // 5 ms apart: polling would only burn CPU
        assertEquals(MAX / 2, w.windowNs());
        for (int i = 0; i < 20; i++) {
            w.stopCame(5_000_000);
        }
        assertEquals(MIN, w.windowNs());
        w.stopCame(MAX); // came within the full window (after a sleep): polling longer would have caught it
        assertEquals(2 * MIN, w.windowNs());
        for (int i = 0; i < 20; i++) {
            w.stopCame(30_000);
        }
        assertEquals(MAX, w.windowNs());
    }
}
