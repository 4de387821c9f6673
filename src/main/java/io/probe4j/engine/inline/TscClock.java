package io.probe4j.engine.inline;

import io.probe4j.sys.Clock;
import io.probe4j.sys.Tsc;

/**
 * Turns the time-stamp counter that trampolines record ({@code rdtsc}: about 10 ns, no system call)
 * into the CLOCK_MONOTONIC nanoseconds the other engines print. Calibrated here, against
 * {@link Clock#monotonicNanos()}, with pairs of readings taken as close together as this process can:
 * a first pair at creation and one 20 ms later give the rate, and every {@link #recalibrate()} (the
 * consumer calls it as it polls) measures a pair again.
 *
 * <p>The conversion is a line from each calibration on, continuous where they meet: a new pair does not
 * move the line to itself (counter values before it, decoded late, would then convert otherwise than
 * those decoded early, and one thread's hits could come out of order), it bends the line from where it
 * is at the new counter value, slewing towards the measured clock (the whole span's rate, corrected by the
 * distance to the pair, absorbed over the next {@value #RECALIBRATE_NS} ns), as NTP slews a clock. A
 * counter value converts the same before and after any calibration that comes after it; the decoder,
 * the only thread that converts, calibrates between records, so every value it converted before lies
 * before the pair. Only a distance beyond {@value #STEP_NS} ns (a suspended machine) is stepped.
 *
 * <p>A clock's state is four numbers ({@link #state()}): the first pair and the newest. A recording
 * stores them each time they change, and {@link #of} and then {@link #restore} in the same order rebuild
 * the same lines, to the nanosecond.
 */
public final class TscClock {
    private static final long RECALIBRATE_NS = 200_000_000L;
    private static final long STEP_NS = 1_000_000L;
    private final long firstTsc;
    private final long firstNanos;
    /** The newest measured pair. */
    private long measuredTsc;
    private long measuredNanos;
    /** Where each line starts (counter, nanoseconds) and its slope; the last is the current one. */
    private long[] knotTsc = new long[16];
    private long[] knotNanos = new long[16];
    private double[] slope = new double[16];
    private int knots;

    private TscClock(long[] first, long[] second) {
        firstTsc = first[0];
        firstNanos = first[1];
        measuredTsc = second[0];
        measuredNanos = second[1];
        add(second[0], second[1], rate(second));
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
        return new long[] {firstTsc, firstNanos, measuredTsc, measuredNanos};
    }

    /** Takes {@code state}'s newest pair as {@link #recalibrate()} would have (its first pair must be this clock's). */
    public void restore(long[] state) {
        if (state.length != 4 || state[0] != firstTsc || state[1] != firstNanos || state[2] == firstTsc) {
            throw new IllegalArgumentException("not a later state of this clock: " + java.util.Arrays.toString(state));
        }
        bend(new long[] {state[2], state[3]});
    }

    /** A clock calibrated over about 20 ms. */
    public static TscClock calibrate() {
        return begin().clock();
    }

    /**
     * A calibration begun now: its first pair. {@link Calibration#clock()} takes the second one at least
     * {@value #SPAN_MS} ms later, so that the span can pass doing something else (an attach plans its
     * probes meanwhile, instead of sleeping).
     */
    public static Calibration begin() {
        pair(); // a first reading in a cold JVM is slow (the calls linked, the code interpreted): not one to keep
        return new Calibration(pair(), System.nanoTime());
    }

    /** The span between the two pairs of a calibration. */
    private static final long SPAN_MS = 20;

    /** A calibration's first pair, and when it was taken. */
    public record Calibration(long[] first, long startedNanos) {
        /** The clock: the second pair, taken once the span has passed since the first (sleeping what is left of it). */
        public TscClock clock() {
            long left = SPAN_MS * 1_000_000L - (System.nanoTime() - startedNanos);
            if (left > 0) {
                try {
                    Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new TscClock(first, pair());
        }
    }

    /** Nanoseconds per tick over the whole span from the first pair to {@code p}. */
    private double rate(long[] p) {
        return (double) (p[1] - firstNanos) / (p[0] - firstTsc);
    }

    /** A new line from the current one's value at {@code p}'s counter, slewing to {@code p}'s clock. */
    private void bend(long[] p) {
        if (p[0] <= knotTsc[knots - 1]) {
            return; // not later than the current line's start: nothing to bend
        }
        measuredTsc = p[0];
        measuredNanos = p[1];
        long here = nanos(p[0]);
        long distance = p[1] - here;
        double rate = rate(p);
        if (Math.abs(distance) > STEP_NS) {
            add(p[0], p[1], rate);
        } else {
            add(p[0], here, rate * (1 + (double) distance / RECALIBRATE_NS));
        }
    }

    private void add(long tsc, long nanos, double nanosPerTick) {
        if (knots == knotTsc.length) {
            knotTsc = java.util.Arrays.copyOf(knotTsc, knots * 2);
            knotNanos = java.util.Arrays.copyOf(knotNanos, knots * 2);
            slope = java.util.Arrays.copyOf(slope, knots * 2);
        }
        knotTsc[knots] = tsc;
        knotNanos[knots] = nanos;
        slope[knots] = nanosPerTick;
        knots++;
    }

    /** Takes a new pair when the last one is older than 200 ms; says whether it did. */
    public boolean recalibrate() {
        long[] p = pair();
        if (p[1] - measuredNanos >= RECALIBRATE_NS) {
            bend(p);
            return true;
        }
        return false;
    }

    /** CLOCK_MONOTONIC nanoseconds of a counter value: on the line of the last calibration before it. */
    public long nanos(long tsc) {
        int k = knots - 1;
        if (tsc < knotTsc[k]) {
            k = java.util.Arrays.binarySearch(knotTsc, 0, knots, tsc);
            k = k >= 0 ? k : Math.max(0, -k - 2); // before the first line's start: that line, backwards
        }
        return knotNanos[k] + Math.round((tsc - knotTsc[k]) * slope[k]);
    }

    /** Counter ticks per second, as measured. */
    public double frequency() {
        return 1e9 / rate(new long[] {measuredTsc, measuredNanos});
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
