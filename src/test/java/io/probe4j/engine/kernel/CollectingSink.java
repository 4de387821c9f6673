package io.probe4j.engine.kernel;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps the events (tests look at them after the session). */
final class CollectingSink implements EventSink {
    final List<ProbeEvent> events = new ArrayList<>();
    boolean closed;

    @Override
    public synchronized void accept(ProbeEvent e) {
        events.add(e);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        closed = true;
    }

    synchronized List<ProbeEvent> named(String event) {
        return events.stream().filter(e -> e.event().equals(event)).toList();
    }
}
