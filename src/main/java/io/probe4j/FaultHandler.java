package io.probe4j;

/**
 * Called when one of a probe's handlers throws (in Linux's kprobes, {@code fault_handler} of
 * {@code struct kprobe}). The traced program
 * is not harmed: after this returns, it goes on as if the failing handler had returned normally.
 * Without a fault handler, the failure is reported on the tracer's diagnostics (standard error).
 */
@FunctionalInterface
public interface FaultHandler {
    /**
     * Handles a handler's failure.
     *
     * @param context the hit during which {@code failure} happened (still valid during this call)
     * @param failure what the handler threw
     */
    void onFault(ProbeContext context, Throwable failure);
}
