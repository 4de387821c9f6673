package io.probe4j.engine.inline;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The inline engine's records and the trap engine's events as {@code trace} prints them: decoded, through
 * each event's filter, in time order ({@link TimeOrder}), to the sink. Fed by the inline engine's
 * decoding thread during a trace, and by {@code report} from a recording, with the same calls in the
 * same order: the same lines; and during a session of the Java API's {@code Tracer}, whose sink hands
 * each event to its probe's. The filters are the kernel's, which look at one event's fields and keep
 * no state: an event is filtered as it comes, and only those kept are held for the time order.
 */
public final class InlineEvents implements RecordStage {
    private final EventDecoder decoder;
    private final TimeOrder order;
    private final EventSink sink;
    private final Map<String, Map<String, Predicate<ProbeEvent>>> keep;

    /** {@code keep}: the filters by group, then event name. */
    public InlineEvents(EventDecoder decoder, Map<String, Map<String, Predicate<ProbeEvent>>> keep, EventSink sink) {
        this.decoder = decoder;
        this.sink = sink;
        this.keep = keep;
        this.order = new TimeOrder(sink);
    }

    /** The events of the engine's {@code probes}, decoded with {@code clock}. */
    public static InlineEvents of(List<InlineProbe> probes, TscClock clock, Map<String, Map<String, Predicate<ProbeEvent>>> keep,
            EventSink sink) {
        return new InlineEvents(new EventDecoder(InlineReader.specs(probes), clock), keep, sink);
    }

    /** No filters. */
    public static Map<String, Map<String, Predicate<ProbeEvent>>> keepAll() {
        return new HashMap<>();
    }

    @Override
    public void records(RecordBatch batch) {
        decoder.decode(batch, this::event);
    }

    @Override
    public void event(ProbeEvent event) {
        if (keep.isEmpty()) {
            order.add(event);
            return;
        }
        Map<String, Predicate<ProbeEvent>> byName = keep.get(event.group());
        Predicate<ProbeEvent> p = byName == null ? null : byName.get(event.event());
        if (p == null || p.test(event)) {
            order.add(event);
        }
    }

    @Override
    public void release(long until) {
        order.release(until);
    }

    @Override
    public void flush() {
        sink.flush();
    }

    @Override
    public void end(Losses losses) {
        order.releaseAll();
    }
}
