package io.probe4j.sys;

import java.time.Instant;

/**
 * Where the time of a start goes: with {@code PROBE4J_PHASES=1} in the environment, each mark prints a
 * line to stderr, {@code probe4j: phase NAME at MS ms} (milliseconds since the first mark, the CLI's
 * {@code main}) {@code (EPOCH_MS)}. Marks stand at the steps of a trace's start and of an attach (parse,
 * plan, seize, map, generate, patch), to measure an attach without a profiler: a profiler's sampling
 * slows a cold JVM more than the steps it would measure.
 */
public final class Phase {
    private static final boolean ON = "1".equals(System.getenv("PROBE4J_PHASES"));
    private static long first;

    private Phase() {
    }

    public static void mark(String what) {
        if (ON) {
            long now = System.nanoTime();
            synchronized (Phase.class) {
                if (first == 0) {
                    first = now;
                }
            }
            Instant wall = Instant.now();
            System.err.printf("probe4j: phase %s at %.1f ms (%d.%03d)%n", what, (now - first) / 1e6, wall.toEpochMilli(),
                    wall.getNano() / 1000 % 1000);
        }
    }
}
