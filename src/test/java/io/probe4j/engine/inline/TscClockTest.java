package io.probe4j.engine.inline;

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
        for (int i = 0; i < 2000 && counted < 200; i++) {
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
