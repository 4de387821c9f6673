package io.probe4j.cli;

import io.probe4j.event.ProbeEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Puts the events of several sources back in time order before they go out, as the kernel merges its
 * per-CPU buffers by timestamp: the inline engine reads one ring per CPU (a thread that moved between
 * CPUs has its records in two rings), and the trap engine's events of the same session arrive on
 * another thread. Events are held until {@link #release} says every source has handed over what
 * happened up to a time; then those up to that time go out, by timestamp, events of one timestamp in
 * the order they came. One stable sort per release, not a heap operation per event: held events stay
 * sorted, and the sort merges what came since into them. Not thread-safe: one thread calls it.
 */
final class TimeOrder {
    private static final Comparator<ProbeEvent> BY_TIME = Comparator.comparingLong(ProbeEvent::timestampNs);
    private final List<ProbeEvent> held = new ArrayList<>();
    private final Consumer<ProbeEvent> out;
    private boolean sorted = true;

    TimeOrder(Consumer<ProbeEvent> out) {
        this.out = out;
    }

    void add(ProbeEvent e) {
        if (sorted && !held.isEmpty() && held.getLast().timestampNs() > e.timestampNs()) {
            sorted = false;
        }
        held.add(e);
    }

    /** Hands on the events up to {@code until} (CLOCK_MONOTONIC ns). */
    void release(long until) {
        if (!sorted) {
            held.sort(BY_TIME); // stable: the order of arrival among equal timestamps stays
            sorted = true;
        }
        int n = 0;
        while (n < held.size() && held.get(n).timestampNs() <= until) {
            out.accept(held.get(n++));
        }
        held.subList(0, n).clear();
    }

    /** Hands on every event held (every source has stopped). */
    void releaseAll() {
        release(Long.MAX_VALUE);
    }

    /** Events held. */
    int size() {
        return held.size();
    }
}
