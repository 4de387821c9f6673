package io.probe4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** Waiting for a condition instead of sleeping for a time that is enough on one machine. */
public final class Await {
    /** A condition that may read files or {@code /proc}. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws IOException;
    }

    private Await() {
    }

    /** Returns as soon as {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!condition.holds()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
                }
                Thread.sleep(2);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("waiting for " + what, e);
        }
    }

    /** {@link #until(String, Duration, Condition)} with a minute: long enough for a loaded machine. */
    public static void until(String what, Condition condition) throws InterruptedException {
        until(what, Duration.ofMinutes(1), condition);
    }
}
