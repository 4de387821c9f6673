package io.probe4j.engine.inline;

import io.probe4j.sys.Clock;
import io.probe4j.sys.Tsc;

/**
 * Turns the time-stamp counter that trampolines record ({@code rdtsc}: about 10 ns, no system call)
 * into the CLOCK_MONOTONIC nanoseconds the other engines print. Calibrated here, against
 * {@link Clock#monotonicNanos()}, with pairs of readings taken as close together as this process can:
 * a first pair at creation and one 20 ms later give the rate, and every {@link #recalibrate()} (the
 * consumer calls it as it polls) adds a pair: the rate is measured over the whole span since the
 * first, and conversions start from the newest pair, so CLOCK_MONOTONIC's own adjustments (NTP slews
 * it by parts per million) never pile up beyond what changes between two calibrations.
 *
 * <p>A clock's state is four numbers ({@link #state()}): a recording stores them each time they change,
 * and {@link #of} rebuilds the same conversion later, to the nanosecond.
 */
public final class TscClock {
    private static final long RECALIBRATE_NS = 200_000_000L;
    private final long firstTsc;
    private final long firstNanos;
    private long anchorTsc;
    private long anchorNanos;
    private double nanosPerTick;

    private TscClock(long[] first, long[] second) {
        firstTsc = first[0];
        firstNanos = first[1];
        set(second);
    }

    /** The clock whose {@link #state()} was {@code state}. */
    public static TscClock of(long[] state) {
        if (state.length != 4 || state[2] == state[0]) {
            throw new IllegalArgumentException("not a clock's state: " + java.util.Arrays.toString(state));
        }
        return new TscClock(new long[] {state[0], state[1]}, new long[] {state[2], state[3]});
    }

    /** What the conversion depends on: the first pair and the newest (counter, nanoseconds). */
    public long[] state() {
        return new long[] {firstTsc, firstNanos, anchorTsc, anchorNanos};
    }

    /** Takes over {@code state}'s newest pair (its first pair must be this clock's). */
    public void restore(long[] state) {
        if (state.length != 4 || state[0] != firstTsc || state[1] != firstNanos || state[2] == firstTsc) {
            throw new IllegalArgumentException("not a later state of this clock: " + java.util.Arrays.toString(state));
        }
        set(new long[] {state[2], state[3]});
    }

    /** A clock calibrated over about 20 ms. */
    public static TscClock calibrate() {
        long[] first = pair();
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new TscClock(first, pair());
    }

    private void set(long[] p) {
        anchorTsc = p[0];
        anchorNanos = p[1];
        nanosPerTick = (double) (anchorNanos - firstNanos) / (anchorTsc - firstTsc);
    }

    /** Takes a new pair when the last one is older than 200 ms; says whether it did. */
    public boolean recalibrate() {
        long[] p = pair();
        if (p[1] - anchorNanos >= RECALIBRATE_NS) {
            set(p);
            return true;
        }
        return false;
    }

    /** CLOCK_MONOTONIC nanoseconds of a counter value. */
    public long nanos(long tsc) {
        return anchorNanos + Math.round((tsc - anchorTsc) * nanosPerTick);
    }

    /** Counter ticks per second, as measured. */
    public double frequency() {
        return 1e9 / nanosPerTick;
    }

    /** The tightest of a few (counter, clock, counter) readings: the counter at the clock's middle, and the clock. */
    private static long[] pair() {
        long best = Long.MAX_VALUE;
        long[] out = new long[2];
        for (int i = 0; i < 7; i++) {
            long t0 = Tsc.read();
            long ns = Clock.monotonicNanos();
            long t1 = Tsc.read();
            if (t1 - t0 < best) {
                best = t1 - t0;
                out[0] = t0 + (t1 - t0) / 2;
                out[1] = ns;
            }
        }
        return out;
    }
}
