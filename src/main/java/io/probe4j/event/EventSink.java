package io.probe4j.event;

import java.util.function.Consumer;

/**
 * Where events go. Engines call {@link #accept} from one thread; {@link #flush} when they have nothing
 * more to hand over for now (so output is timely without a write per event); {@link #close} once.
 */
public interface EventSink extends AutoCloseable {

    /** A sink that hands each event to {@code each} and has nothing to flush or close (for Java users). */
    static EventSink of(Consumer<ProbeEvent> each) {
        return new EventSink() {
            @Override
            public void accept(ProbeEvent event) {
                each.accept(event);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    /** Takes one event. */
    void accept(ProbeEvent event);

    /**
     * The kernel's count of hits a probe missed ({@code kprobe_profile}'s last column: the kprobe fired
     * while another kprobe handler ran, or a kretprobe had no free instance). Engines report it once, at
     * the end, before {@link #close}; sinks that do not show it ignore it.
     */
    default void missed(String group, String event, long count) {
    }

    /** Pushes buffered output out. */
    void flush();

    /** Flushes and finishes (a profile prints its table here). Does not close stdout. */
    @Override
    void close();
}
