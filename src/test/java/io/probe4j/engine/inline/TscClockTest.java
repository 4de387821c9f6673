package io.probe4j.engine.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.sys.Clock;
import io.probe4j.sys.Tsc;
import org.junit.jupiter.api.Test;

/**
 * The time-stamp counter the trampolines record, converted by the consumer, is CLOCK_MONOTONIC (the
 * clock the trap engine prints) to within a few microseconds, right after calibration and later on.
 */
class TscClockTest {
    /** The largest distance between a converted counter reading and the clock read around it, over many tries. */
    static long worstError(TscClock clock) {
        long worst = 0;
        int counted = 0;
        for (int i = 0; i < 50_000 && counted < 200; i++) { // many tries: a cold JVM reads the clocks slowly at first
            long before = Clock.monotonicNanos();
            long ns = clock.nanos(Tsc.read());
            long after = Clock.monotonicNanos();
            if (after - before > 2_000) {
                continue; // preempted between the readings: says nothing about the clocks
            }
            counted++;
            worst = Math.max(worst, Math.max(before - ns, ns - after));
        }
        assertTrue(counted >= 100, "the thread was preempted too often to compare");
        return worst;
    }

    /**
     * A calibration changes the conversion only after its own counter value: a record decoded late (after
     * it) gets the time it would have got decoded early, so one thread's hits keep their order. It starts
     * where the previous line is and slews towards the measured clock within the next 200 ms.
     */
    @Test
    void aCalibrationDoesNotMoveTheTimesBeforeIt() {
        TscClock clock = TscClock.of(new long[] {0, 0, 1_000_000, 1_000_000}); // 1 ns a tick
        long[] before = {0, 999_999, 1_500_000, 1_999_999};
        long[] early = new long[before.length];
        for (int i = 0; i < before.length; i++) {
            early[i] = clock.nanos(before[i]);
        }
        clock.restore(new long[] {0, 0, 2_000_000, 2_000_500}); // the clock measured 500 ns ahead of the line
        for (int i = 0; i < before.length; i++) {
            assertEquals(early[i], clock.nanos(before[i]), "counter " + before[i] + ", decoded after the calibration");
        }
        assertEquals(2_000_000, clock.nanos(2_000_000), "the new line starts where the old one is");
        long caughtUp = clock.nanos(2_000_000 + 200_000_000);
        long measured = 2_000_500 + Math.round(200_000_000 * (2_000_500 / 2_000_000.0)); // the clock at the span's rate
        assertTrue(Math.abs(caughtUp - measured) <= 1, "slewed to the measured clock: " + caughtUp + " for " + measured);
        long last = Long.MIN_VALUE;
        for (long t = 1_999_000; t < 2_001_000; t++) {
            long ns = clock.nanos(t);
            assertTrue(ns >= last, "monotonic at " + t);
            last = ns;
        }
    }

    /** A distance beyond a millisecond (a machine suspended and resumed) is stepped, not slewed. */
    @Test
    void aLargeDistanceIsStepped() {
        TscClock clock = TscClock.of(new long[] {0, 0, 1_000_000, 1_000_000});
        clock.restore(new long[] {0, 0, 2_000_000, 7_000_000});
        assertEquals(7_000_000, clock.nanos(2_000_000));
        assertEquals(1_500_000, clock.nanos(1_500_000));
    }

    @Test
    void theCounterConvertedIsTheMonotonicClockWithinAFewMicroseconds() throws Exception {
        TscClock clock = TscClock.calibrate();
        long first = worstError(clock);
        for (int i = 0; i < 30; i++) { // 3 s of a consumer polling every 100 ms
            Thread.sleep(100);
            clock.recalibrate();
        }
        long later = worstError(clock);
        System.out.printf("TSC at %.3f MHz; worst distance from CLOCK_MONOTONIC: %d ns after calibration, %d ns 3 s later%n",
                clock.frequency() / 1e6, first, later);
        assertTrue(first < 5_000, first + " ns");
        assertTrue(later < 5_000, later + " ns");
    }
}
