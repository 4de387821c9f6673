package io.probe4j;

/**
 * Told when the inline engine dropped records of a probe because its ring was full (probe4j's consumer
 * thread did not keep up: a sink too slow, a burst of hits), as {@code perf} puts a {@code PERF_RECORD_LOST}
 * into its stream and the kernel's {@code trace_pipe} a {@code [LOST N EVENTS]} line. The hits themselves
 * ran as always; only their events are missing. Set with {@link Tracer#onLostRecords}; the counts so far
 * are {@link Probe#lostRecords()} and {@link Tracer#lostRecords()}.
 */
@FunctionalInterface
public interface LostRecordsHandler {
    /**
     * Records of {@code probe} were dropped. Called on probe4j's consumer thread, one call at a time with
     * the sinks, about every 100 ms while records are being lost and once more after the last events of
     * the session, with the number dropped since the last call for that probe: the calls of a probe add
     * up to its {@link Probe#lostRecords()}. The dropped records are of hits since the previous call, about:
     * the rings count them, and keep no place for them among the events.
     *
     * @param probe   the probe whose records were dropped (perhaps unregistered since)
     * @param records how many, since the last call for this probe
     */
    void onLost(Probe probe, long records);
}
