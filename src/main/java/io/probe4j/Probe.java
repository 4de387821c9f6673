package io.probe4j;

import io.probe4j.engine.trap.ProbeConsumer;
import io.probe4j.engine.trap.ProbeHit;
import io.probe4j.engine.trap.ProbePoint;
import java.util.Optional;

/**
 * A registered probe (Linux's registered {@code struct kprobe}, or a {@code uprobe_consumer} attached
 * with {@code uprobe_register}): one consumer of a probe point. Several probes at one
 * address share one breakpoint; at a hit all enabled pre handlers run, then the probed instruction, then
 * all enabled post handlers and event callbacks. Thread-safe: enable, disable and the event callback may
 * be changed from any thread, also while the program runs; the next hit sees the change.
 *
 * <p>{@link #engine()} says which engine runs it: a probe of {@link EventProbes} on a tracer that chose
 * {@link Engine#INLINE} runs inline where it can (its sink gets the events from probe4j's consumer thread
 * after the fact, the thread never stopped), and {@link #whyNotInline()} says why not otherwise.
 */
public final class Probe {
    private final Tracer tracer;
    private final ProbeInfo info;
    private final ProbePoint point;
    private final String symbol;
    private volatile boolean enabled;
    private volatile ProbeHandler eventCallback;
    private volatile boolean registered = true;
    private volatile Engine engine = Engine.TRAP;
    private volatile String whyNotInline = EnginePlan.TRACER_TRAPS;
    final Consumer consumer = new Consumer();

    Probe(Tracer tracer, ProbeInfo info, ProbePoint point, String symbol) {
        this.tracer = tracer;
        this.info = info;
        this.point = point;
        this.symbol = symbol;
        this.enabled = info.enabled();
        this.eventCallback = info.eventCallback();
    }

    /** {@return what the probe was registered with} */
    public ProbeInfo info() {
        return info;
    }

    /**
     * {@return the engine that runs this probe} Decided when the tracer starts (for a probe registered
     * after it: at once); before that, the engine it would get if the tracer started now.
     */
    public Engine engine() {
        tracer.ensurePlanned();
        return engine;
    }

    /**
     * {@return why the probe does not run inline: empty when it does} Else, for a user: the tracer
     * runs the trap engine; the probe's handlers need the stopped thread; it was registered after the
     * start; or what the inline engine's planner found (no room for the jump at that instruction, a
     * fetch argument it does not compile, a USDT semaphore, ...). Decided as {@link #engine()} is.
     */
    public Optional<String> whyNotInline() {
        tracer.ensurePlanned();
        return Optional.ofNullable(whyNotInline);
    }

    void placed(Engine engine, String whyNotInline) {
        this.engine = engine;
        this.whyNotInline = whyNotInline;
    }

    /**
     * {@return the records of this probe the inline engine dropped so far because its ring was full}
     * (probe4j's consumer thread did not keep up: the hits ran, their events are missing). Always 0 on
     * the trap engine, where the thread waits for the tracer instead. Kept after the session has ended;
     * {@link Tracer#onLostRecords} is told as it grows.
     */
    public long lostRecords() {
        return tracer.lostRecords(this);
    }

    /** Handlers run again at hits; an inline probe's events reach its sink again. */
    public void enable() {
        enabled = true;
    }

    /**
     * Handlers are skipped at hits; the breakpoint stays in place (cheap to enable again). An inline
     * probe goes on recording in the program (its jump stays), and its events are dropped.
     */
    public void disable() {
        enabled = false;
    }

    /** {@return whether hits run the handlers: enabled and still registered} */
    public boolean isEnabled() {
        return enabled && registered;
    }

    /** {@return the function symbol the probe is in ({@code name+0xOFF} inside it), if the file's symbols name it} */
    public Optional<String> symbol() {
        return Optional.ofNullable(symbol);
    }

    /** {@return the probed file} */
    public java.nio.file.Path file() {
        return point.file();
    }

    /** {@return the probed instruction's file offset} */
    public long fileOffset() {
        return point.offset();
    }

    /**
     * Replaces the event callback; the next hit runs the new one.
     *
     * @param callback the new callback, or {@code null} for none
     */
    public void updateEventCallback(ProbeHandler callback) {
        this.eventCallback = callback;
    }

    /**
     * Removes the probe. Once the last probe at its address is gone, the original instruction is back
     * in every traced process: the trap engine's breakpoint comes out, or the inline engine's jump (its
     * trampoline stays mapped, inert, for a thread that was inside it; a return probe's swapped return
     * addresses still return through it). A probe registered at that address later runs on the trap
     * engine. An inline probe's events stop at once. Not from inside a handler or an inline probe's sink
     * (the tracer thread would wait for itself).
     */
    public void unregister() {
        tracer.unregister(this);
    }

    boolean isRegistered() {
        return registered;
    }

    void markUnregistered() {
        registered = false;
    }

    ProbePoint point() {
        return point;
    }

    Deliveries deliveries() {
        return tracer.deliveries();
    }

    @Override
    public String toString() {
        return "probe " + (symbol != null ? symbol + " in " : "") + point;
    }

    private void run(ProbeHandler h, ProbeHit hit) {
        if (h == null) {
            return;
        }
        ProbeContext ctx = new ProbeContext(hit, this);
        try {
            h.handle(ctx);
        } catch (Throwable t) {
            fault(ctx, t);
        }
    }

    /** A handler, or work it left for after the resume, threw: the fault handler, else a diagnostic. */
    void fault(ProbeContext ctx, Throwable t) {
        if (t instanceof VirtualMachineError v) {
            throw v;
        }
        FaultHandler f = info.faultHandler();
        if (f != null) {
            try {
                f.onFault(ctx, t);
                return;
            } catch (RuntimeException | Error t2) {
                t.addSuppressed(t2);
            }
        }
        tracer.reportFault(this, ctx, t);
    }

    /** The engine's side of the probe. */
    final class Consumer implements ProbeConsumer {
        @Override
        public boolean isEnabled() {
            return enabled && registered;
        }

        @Override
        public boolean wantsPost() {
            return info.postHandler() != null || eventCallback != null;
        }

        @Override
        public boolean wantsReturn() {
            return info.returnHandler() != null;
        }

        @Override
        public void onEntry(ProbeHit hit) {
            run(info.preHandler(), hit);
        }

        @Override
        public void post(ProbeHit hit) {
            run(info.postHandler(), hit);
            run(eventCallback, hit);
        }

        @Override
        public void onReturn(ProbeHit hit) {
            run(info.returnHandler(), hit);
        }
    }
}
