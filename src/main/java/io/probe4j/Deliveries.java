package io.probe4j;

import java.io.PrintStream;

/**
 * How a tracer's events reach the sinks: one sink call at a time ({@link io.probe4j.event.EventSink}
 * asks for that), whichever engine's thread delivers — the tracer thread after a trap, the inline
 * engine's consumer thread (or the tracer thread at a thread's exit) after a record.
 */
final class Deliveries {
    private final PrintStream diagnostics;
    /** The thread inside an inline probe's sink, which must not wait for the tracer thread. */
    private volatile Thread delivering;

    Deliveries(PrintStream diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Whether the caller is inside an inline probe's sink call. */
    boolean inSink() {
        return Thread.currentThread() == delivering;
    }

    /** Runs a trap's delivery ({@code work}: its failure goes to the probe's fault handler, as the caller does). */
    void trapped(Runnable work) {
        synchronized (this) {
            work.run();
        }
    }

    /** Hands an inline probe's event to its sink ({@code work}); a failure is reported and the reading goes on. */
    void inline(Probe p, Runnable work) {
        synchronized (this) {
            delivering = Thread.currentThread();
            try {
                work.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                diagnostics.println("probe4j: the event sink of " + p + " failed: " + e);
            } finally {
                delivering = null;
            }
        }
    }
}
