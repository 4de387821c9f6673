package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;

/** A stage that hands every call on to another ({@code to}), after {@link #seen} looked at each batch of records. */
abstract class WatchedStage implements RecordStage {
    private final RecordStage to;

    WatchedStage(RecordStage to) {
        this.to = to;
    }

    /** Called with each batch before {@code to} gets it. */
    abstract void seen(RecordBatch batch);

    @Override
    public boolean direct() {
        return to.direct();
    }

    @Override
    public void records(RecordBatch batch) {
        seen(batch);
        to.records(batch);
    }

    @Override
    public void event(ProbeEvent event) {
        to.event(event);
    }

    @Override
    public void clock(TscClock clock) {
        to.clock(clock);
    }

    @Override
    public void release(long until) {
        to.release(until);
    }

    @Override
    public void flush() {
        to.flush();
    }

    @Override
    public void end(Losses losses) {
        to.end(losses);
    }
}
