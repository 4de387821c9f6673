package io.probe4j.engine.trap;

import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.util.Optional;

/**
 * How the tracer thread waits for the next stop of any tracee: it polls ({@code waitpid} with
 * {@code WNOHANG}) for a short window, and only then sleeps in {@code waitpid}.
 *
 * <p>Why: a tracer asleep in {@code waitpid} is woken by the tracee's stop, and the scheduler wakes
 * it on the idle vCPU; on a virtual machine that wake-up, and the tracee's when the tracer resumes
 * it, is an interprocessor interrupt through the hypervisor. On this project's 2-vCPU guests the
 * minimal C tracer ({@code bench/c/minitracer.c}) costs about 61 µs per hit sleeping and 23 µs
 * polling for 100 µs. A tight series of hits keeps the tracer polling; a lone hit costs at most
 * one window of CPU time; an idle session sleeps.
 *
 * <p>The window is {@value #DEFAULT_POLL_MICROS} µs unless the system property
 * {@code probe4j.trap.pollMicros} says otherwise (0: always sleep).
 */
final class StopWait {
    static final long DEFAULT_POLL_MICROS = 100;
    private static final long POLL_NS = Math.max(0, Long.getLong("probe4j.trap.pollMicros", DEFAULT_POLL_MICROS)) * 1000;

    private StopWait() {
    }

    /** The next wait status of any tracee of this thread. */
    static WaitStatus next() {
        if (POLL_NS > 0) {
            long until = System.nanoTime() + POLL_NS;
            do {
                Optional<WaitStatus> ws = Wait.waitpid(-1, Wait.WNOHANG);
                if (ws.isPresent()) {
                    return ws.get();
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - until < 0);
        }
        return Wait.waitpid(-1);
    }
}
