package io.probe4j;

/**
 * Code that runs at a probe hit: a pre handler (at the breakpoint, before the probed instruction), a
 * post handler or event callback (after it), or a return handler (when the probed function returns).
 * It runs on the tracer thread while the hitting thread is stopped; the {@link ProbeContext} is valid
 * only during the call. Whatever it throws goes to the probe's {@link FaultHandler}; the traced program
 * goes on as if the handler had returned.
 */
@FunctionalInterface
public interface ProbeHandler {
    /**
     * Runs at the hit.
     *
     * @param context the hit: the thread, its registers and memory (valid during this call only)
     * @throws Exception anything: it goes to the probe's fault handler
     */
    void handle(ProbeContext context) throws Exception;
}
