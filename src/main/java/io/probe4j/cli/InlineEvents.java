package io.probe4j.cli;

import io.probe4j.engine.inline.EventDecoder;
import io.probe4j.engine.inline.Losses;
import io.probe4j.engine.inline.RecordBatch;
import io.probe4j.engine.inline.RecordStage;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The inline engine's records and the trap engine's events as {@code trace} prints them: decoded, in
 * time order ({@link TimeOrder}), through each event's filter, to the sink. Fed by the inline engine's
 * decoding thread during a trace, and by {@code report} from a recording, with the same calls in the
 * same order: the same lines.
 */
final class InlineEvents implements RecordStage {
    private final EventDecoder decoder;
    private final TimeOrder order;
    private final EventSink sink;

    /** {@code keep}: the filters by group, then event name. */
    InlineEvents(EventDecoder decoder, Map<String, Map<String, Predicate<ProbeEvent>>> keep, EventSink sink) {
        this.decoder = decoder;
        this.sink = sink;
        this.order = new TimeOrder(e -> {
            Map<String, Predicate<ProbeEvent>> byName = keep.get(e.group());
            Predicate<ProbeEvent> p = byName == null ? null : byName.get(e.event());
            if (p == null || p.test(e)) {
                sink.accept(e);
            }
        });
    }

    /** No filters. */
    static Map<String, Map<String, Predicate<ProbeEvent>>> keepAll() {
        return new HashMap<>();
    }

    @Override
    public void records(RecordBatch batch) {
        decoder.decode(batch, order::add);
    }

    @Override
    public void event(ProbeEvent event) {
        order.add(event);
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
