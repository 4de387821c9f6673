package io.probe4j;

/**
 * How a probe is carried out in the traced program: {@link Tracer#engine(Engine)} chooses for a tracer,
 * {@link Probe#engine()} says what each probe got.
 */
public enum Engine {
    /**
     * A breakpoint ({@code int3}) through ptrace, probe4j's own uprobes: each hit stops the thread
     * (about 30 µs on a VM) while the handlers run on the tracer thread; they may read and change its
     * registers and memory. Every probe can run here.
     */
    TRAP,
    /**
     * A jump to a trampoline probe4j generates in the program: it records the definition's fetch
     * arguments into shared memory without stopping the thread (tens of nanoseconds a hit), and a thread
     * of this JVM hands the events on afterwards, in time order; when it falls behind, a full ring drops
     * records, which are counted ({@link Probe#lostRecords()}, {@link Tracer#onLostRecords}) and reported
     * on standard error at the end. Only probes that just record an event
     * ({@link EventProbes}) can run here, and only where the jump fits: the others keep the trap engine
     * and {@link Probe#whyNotInline()} says why.
     */
    INLINE
}
