package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;

/**
 * Where the inline engine's decoding thread hands what the rings (and the trap engine of the same
 * session) produced, in the order it came: decoded, ordered and printed by a trace, or written to a
 * recording as it is ({@code --format binary}), whose report hands the same calls, in the same order,
 * to the same printing stage.
 */
public interface RecordStage {
    /** Records taken out of the rings (the batch is reused once this returns). */
    void records(RecordBatch batch);

    /**
     * Whether this stage takes the records on the reader's thread, a batch at a time as they leave the rings
     * (the batch is reused once {@link #records} returns), rather than on the decoding thread through the
     * backlog: a stage that only writes them somewhere (a recording) spares the hand-over, the backlog and a
     * second busy thread. Its other calls still come from the decoding thread: it must take both threads.
     */
    default boolean direct() {
        return false;
    }

    /** An event of a probe that runs on the trap engine. */
    void event(ProbeEvent event);

    /** The clock the records are decoded with was recalibrated (before the records decoded with it). */
    default void clock(TscClock clock) {
    }

    /** Every source has handed over what happened up to {@code until} (CLOCK_MONOTONIC ns): that can go out. */
    default void release(long until) {
    }

    /** Output is due (about every 100 ms). */
    default void flush() {
    }

    /** Every source has stopped; what was lost. */
    default void end(Losses losses) {
    }
}
