package io.probe4j.event;

/**
 * Where events go. Engines call {@link #accept} from one thread; {@link #flush} when they have nothing
 * more to hand over for now (so output is timely without a write per event); {@link #close} once.
 */
public interface EventSink extends AutoCloseable {

    /** Takes one event. */
    void accept(ProbeEvent event);

    /** Pushes buffered output out. */
    void flush();

    /** Flushes and finishes (a profile prints its table here). Does not close stdout. */
    @Override
    void close();
}
