package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;
import java.util.function.Consumer;

/** A stage that decodes every record with {@code decoder} and hands it, and every trap-engine event, to {@code out}, as they come. */
record DecodingStage(EventDecoder decoder, Consumer<ProbeEvent> out) implements RecordStage {
    @Override
    public void records(RecordBatch batch) {
        decoder.decode(batch, out);
    }

    @Override
    public void event(ProbeEvent event) {
        out.accept(event);
    }
}
