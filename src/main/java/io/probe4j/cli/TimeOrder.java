package io.probe4j.cli;

import io.probe4j.event.ProbeEvent;
import io.probe4j.sys.Clock;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Puts the events of several sources back in time order before they go out, as the kernel merges its
 * per-CPU buffers by timestamp: the inline engine reads one ring per CPU (a thread that moved between
 * CPUs has its records in two rings), and the trap engine's events of the same session arrive on
 * another thread. An event is held until it is {@link #WINDOW_NANOS} old, so that every source has
 * handed over what happened before it. Not thread-safe: the caller holds a lock.
 */
final class TimeOrder {
    static final long WINDOW_NANOS = 100_000_000L;
    private record Held(ProbeEvent event, long seq) {
    }

    private final PriorityQueue<Held> held = new PriorityQueue<>(
            Comparator.comparingLong((Held h) -> h.event().timestampNs()).thenComparingLong(Held::seq));
    private final Consumer<ProbeEvent> out;
    private long seq;

    TimeOrder(Consumer<ProbeEvent> out) {
        this.out = out;
    }

    void add(ProbeEvent e) {
        held.add(new Held(e, seq++));
    }

    /** Hands on the events older than the window. */
    void release() {
        long until = Clock.monotonicNanos() - WINDOW_NANOS;
        while (!held.isEmpty() && held.peek().event().timestampNs() <= until) {
            out.accept(held.poll().event());
        }
    }

    /** Hands on every event held (every source has stopped). */
    void releaseAll() {
        while (!held.isEmpty()) {
            out.accept(held.poll().event());
        }
    }
}
