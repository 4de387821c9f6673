package io.probe4j;

import io.probe4j.event.EventSink;
import io.probe4j.event.EventStacks;
import io.probe4j.event.FetchContext;
import io.probe4j.event.FetchEvaluator;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.StoppedThreadFetch;
import io.probe4j.spec.ProbeDefinition;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The handler of a definition's probe ({@link EventProbes}): it only reads — the fetch arguments, the
 * thread's name and CPU — and hands the event to a sink. Being only that, and known to be only that,
 * is what lets a tracer put the probe on the inline engine, where the trampoline records the same
 * values and the sink gets the event from the consumer thread.
 */
final class EventRecorder implements ProbeHandler {
    /** No user stacks: the only kind of event the inline engine records. */
    static final Function<ProbeContext, EventStacks> NO_STACKS = ctx -> EventStacks.NONE;

    private final ProbeDefinition definition;
    private final EventSink sink;
    private final Predicate<ProbeEvent> keep;
    private final Function<ProbeContext, EventStacks> stacks;

    EventRecorder(ProbeDefinition definition, EventSink sink, Predicate<ProbeEvent> keep,
            Function<ProbeContext, EventStacks> stacks) {
        this.definition = definition;
        this.sink = sink;
        this.keep = keep;
        this.stacks = stacks;
    }

    /** The recorder of {@code info}, if recording an event is all its probe does. */
    static Optional<EventRecorder> of(ProbeInfo info) {
        boolean others = info.postHandler() != null || info.eventCallback() != null || info.faultHandler() != null;
        if (others || (info.preHandler() == null) == (info.returnHandler() == null)) {
            return Optional.empty();
        }
        return info.preHandler() instanceof EventRecorder r ? Optional.of(r)
                : info.returnHandler() instanceof EventRecorder r ? Optional.of(r) : Optional.empty();
    }

    ProbeDefinition definition() {
        return definition;
    }

    /** Whether its events carry user stacks, which only a stopped thread gives. */
    boolean takesStacks() {
        return stacks != NO_STACKS;
    }

    /**
     * At a trap: the values now, while the thread is stopped; the event after it has resumed (in a session
     * with inline probes, through their time order).
     */
    @Override
    public void handle(ProbeContext ctx) {
        ProbeEvent e = new ProbeEvent(ctx.comm(), ctx.pid(), ctx.tid(), ctx.cpu(), ProbeEvent.UPROBE_FLAGS, ctx.timestampNanos(),
                definition.group(), definition.event(), site(ctx), FetchEvaluator.evaluate(definition.args(), fetching(ctx)),
                stacks.apply(ctx));
        ctx.afterResume(() -> ctx.probe().deliveries().trapped(ctx.probe(), this, e));
    }

    /** Hands {@code e} to the sink if the filter keeps it; the caller holds its tracer's delivery lock. */
    void deliver(ProbeEvent e) {
        if (keep.test(e)) {
            sink.accept(e);
        }
    }

    private static ProbeEvent.Site site(ProbeContext ctx) {
        return ctx.isReturn() ? new ProbeEvent.Site.Return(ctx.entryAddress(), ctx.returnAddress())
                : new ProbeEvent.Site.Entry(ctx.address());
    }

    /** What fetch arguments see: the stopped thread's registers and its process's memory. */
    private static FetchContext fetching(ProbeContext ctx) {
        return new StoppedThreadFetch(ctx::register, ctx::readAvailable, ctx::comm, ctx.address() - ctx.fileOffset());
    }
}
