package io.probe4j;

import io.probe4j.event.ProbeEvent;
import java.io.PrintStream;

/**
 * How a tracer's events reach the sinks: one sink call at a time ({@link io.probe4j.event.EventSink}
 * asks for that), whichever engine's thread delivers — the tracer thread after a trap, the inline
 * engine's consumer thread (or the thread that ends the session) after a record. While a session runs
 * inline probes, the trap engine's events of definitions go through the inline engine's time order
 * too ({@link InlineRun#offer}), so that the sinks see the session's events by timestamp.
 */
final class Deliveries {
    private final PrintStream diagnostics;
    /** The thread inside an inline probe's sink, which must not wait for the tracer thread. */
    private volatile Thread delivering;
    /** The session's inline probes, whose time order the trap engine's events join; null: none. */
    private volatile InlineRun ordered;
    private volatile LostRecordsHandler lost;

    Deliveries(PrintStream diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Whether the caller is inside an inline probe's sink call. */
    boolean inSink() {
        return Thread.currentThread() == delivering;
    }

    /** The trap engine's events join the time order of {@code run} (null: they go to the sinks at once). */
    void orderWith(InlineRun run) {
        ordered = run;
    }

    void onLost(LostRecordsHandler handler) {
        lost = handler;
    }

    /**
     * After a trap, once the thread has resumed (the tracer thread): event {@code e} of probe {@code p}
     * goes to {@code r}'s sink, through the inline probes' time order when the session has some. A failure
     * of a sink called here goes to the caller (the probe's fault handler).
     */
    void trapped(Probe p, EventRecorder r, ProbeEvent e) {
        InlineRun run = ordered;
        if (run == null || !run.offer(p, r, e)) {
            synchronized (this) {
                r.deliver(e);
            }
        }
    }

    /** Hands an inline probe's event to its sink ({@code work}); a failure is reported and the reading goes on. */
    void inline(Probe p, Runnable work) {
        serially(work, "the event sink of ", p);
    }

    /** Tells the tracer's handler that {@code records} more records of {@code p} were dropped; false: there is none. */
    boolean lost(Probe p, long records) {
        LostRecordsHandler h = lost;
        if (h != null) {
            serially(() -> h.onLost(p, records), "the lost-records handler for ", p);
        }
        return h != null;
    }

    private void serially(Runnable work, String what, Probe p) {
        synchronized (this) {
            delivering = Thread.currentThread();
            try {
                work.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                diagnostics.println("probe4j: " + what + p + " failed: " + e);
            } finally {
                delivering = null;
            }
        }
    }
}
