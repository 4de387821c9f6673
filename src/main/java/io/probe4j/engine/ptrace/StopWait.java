package io.probe4j.engine.ptrace;

import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.util.Optional;

/**
 * How a tracer thread waits for the next stop of any tracee: it polls ({@code waitpid} with
 * {@code WNOHANG}) for a while, and only then sleeps in {@code waitpid}.
 *
 * <p>Why: a tracer asleep in {@code waitpid} is woken by the tracee's stop, and the scheduler wakes
 * it on the idle vCPU; on a virtual machine that wake-up, and the tracee's when the tracer resumes
 * it, is an interprocessor interrupt through the hypervisor. On this project's 2-vCPU guests the
 * minimal C tracer ({@code bench/c/minitracer.c}) costs about 61 µs per hit sleeping and 23 µs
 * polling for 100 µs.
 *
 * <p>Polling costs CPU time, so the window adapts, as the kernel's haltpoll governor does for idle
 * CPUs: it doubles (up to the maximum) when the stop came within the maximum window of the wait's
 * start, so polling longer would have caught it, and halves when the stop came later. A tight
 * series of hits keeps the tracer polling at the maximum; hits far apart shrink the window to
 * {@value #MIN_POLL_MICROS} µs; an idle session sleeps.
 *
 * <p>The maximum window is {@value #DEFAULT_POLL_MICROS} µs unless the system property
 * {@code probe4j.trap.pollMicros} says otherwise (0: always sleep).
 */
public final class StopWait {
    static final long DEFAULT_POLL_MICROS = 100, MIN_POLL_MICROS = 5;
    public static final long MAX_NS = Math.max(0, Long.getLong("probe4j.trap.pollMicros", DEFAULT_POLL_MICROS)) * 1000;
    private static final long MIN_NS = Math.min(MAX_NS, MIN_POLL_MICROS * 1000);

    private long windowNs = MAX_NS;

    /** The next wait status of any tracee of this thread. */
    WaitStatus next() {
        long start = System.nanoTime();
        if (windowNs > 0) {
            long until = start + windowNs;
            do {
                Optional<WaitStatus> ws = Wait.waitpid(-1, Wait.WNOHANG);
                if (ws.isPresent()) {
                    stopCame(System.nanoTime() - start);
                    return ws.get();
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - until < 0);
        }
        WaitStatus ws = Wait.waitpid(-1);
        stopCame(System.nanoTime() - start);
        return ws;
    }

    /** Adapts the window to a stop that came {@code afterNs} after the wait began. */
    void stopCame(long afterNs) {
        if (MAX_NS == 0) {
            return;
        }
        windowNs = afterNs <= MAX_NS ? Math.min(MAX_NS, Math.max(MIN_NS, windowNs * 2)) : Math.max(MIN_NS, windowNs / 2);
    }

    /** The current window, in nanoseconds. */
    long windowNs() {
        return windowNs;
    }
}
