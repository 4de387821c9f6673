package io.probe4j;

import io.probe4j.elf.TargetResolver;
import io.probe4j.error.UserException;
import io.probe4j.filter.EventFields;
import io.probe4j.filter.EventFilter;
import io.probe4j.event.EventSink;
import io.probe4j.event.EventStacks;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.ProbeTarget.Location;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The definition language on the trap and inline engines: each {@code uprobe_events} definition becomes
 * a probe of the public API ({@link ProbeInfo}) whose handler evaluates the fetch arguments as the kernel
 * does ({@link io.probe4j.event.FetchEvaluator}) and hands a {@link ProbeEvent} to the sink, with what the kernel's trace line
 * shows: the thread's name and id, its CPU, the flags, CLOCK_MONOTONIC time.
 *
 * <p>The values are taken while the thread is stopped, exactly as the kernel takes them at the hit;
 * the event is formatted and written after the thread has resumed: each microsecond of a stop costs
 * the thread two or more, because its virtual CPU idles meanwhile. (Reading the name and CPU after
 * the resume too would save about 8 µs a hit here, but a thread that renames itself or moves right
 * after a hit would then show its next name or CPU: ThreadIdentityTest catches that.)
 *
 * <p>From Java: {@link #of(ProbeDefinition, EventSink, String)} is a definition's event with the kernel's
 * event filter, as {@code probe4j trace DEFINITION --filter 'EVENT: FILTER'} prints it, ready for
 * {@link Tracer#register(ProbeInfo)}.
 *
 * <p>These probes only read, so on a tracer that chose {@link Engine#INLINE} they run on the inline
 * engine where it can take them (not those with user stacks, which need the stopped thread): the
 * program's code jumps to a trampoline that records the same values, and the filter and the sink run on
 * probe4j's consumer thread after it read the record, as {@code probe4j trace --engine inline} does: the
 * session's events of definitions in time order, those of the probes that kept the trap engine among
 * them (and delivered by that thread too). Sinks are called one event at a time, whichever engine's
 * thread delivers it.
 */
public final class EventProbes {
    private EventProbes() {
    }

    /**
     * The probe of definition {@code d}, its events to {@code sink} when {@code filter} keeps them: the
     * kernel's event filter language over the definition's fields ({@code "a > 3 && name ~ \"L*\""}; empty
     * or {@code 0} for none), checked as the kernel checks a write to the event's {@code filter} file. The
     * target is found as the command line finds it ({@code PATH:SYMBOL[+OFF]} or {@code PATH:OFFSET}; a
     * USDT or wildcard definition stands for several probes, which the command line expands).
     *
     * @param d      a probe definition of the {@code uprobe_events} language
     * @param sink   where the kept events go, after the hit thread has resumed
     * @param filter the event filter, or empty for none
     * @return the probe, for {@link Tracer#register(ProbeInfo)}
     * @throws UserException a target that cannot be probed, or a filter the kernel refuses (its message,
     *                       with the position, as {@link io.probe4j.filter.FilterException})
     */
    public static ProbeInfo of(ProbeDefinition d, EventSink sink, String filter) {
        Optional<EventFilter> keep = filter.isBlank() ? Optional.empty() : EventFilter.parse(filter, EventFields.of(d));
        ProbeTarget target = new TargetResolver().resolve(d.target());
        long offset = ((Location.FileOffset) target.location()).offset();
        return info(d, Path.of(target.path()), offset, sink, keep.<Predicate<ProbeEvent>>map(f -> f::matches).orElse(e -> true));
    }

    /**
     * A probe for {@code d}, already resolved to a file and a file offset, sending every event to {@code sink}.
     *
     * @param d      a probe definition of the {@code uprobe_events} language
     * @param file   the probed file
     * @param offset the probed instruction's file offset
     * @param sink   where the events go, after the hit thread has resumed
     * @return the probe, for {@link Tracer#register(ProbeInfo)}
     */
    public static ProbeInfo info(ProbeDefinition d, Path file, long offset, EventSink sink) {
        return info(d, file, offset, sink, e -> true);
    }

    /**
     * As {@link #info(ProbeDefinition, Path, long, EventSink)}, with the event's filter: a hit {@code keep}
     * refuses (an {@code io.probe4j.filter.EventFilter}, say) writes nothing. It is asked after the thread
     * has resumed, like the sink.
     *
     * @param d      a probe definition of the {@code uprobe_events} language
     * @param file   the probed file
     * @param offset the probed instruction's file offset
     * @param sink   where the kept events go
     * @param keep   which events to keep
     * @return the probe, for {@link Tracer#register(ProbeInfo)}
     */
    public static ProbeInfo info(ProbeDefinition d, Path file, long offset, EventSink sink, Predicate<ProbeEvent> keep) {
        return info(d, file, offset, sink, keep, EventRecorder.NO_STACKS);
    }

    /**
     * As {@link #info(ProbeDefinition, Path, long, EventSink, Predicate)}, with the user stacks {@code stacks}
     * takes from the stopped thread at each hit.
     *
     * @param d      a probe definition of the {@code uprobe_events} language
     * @param file   the probed file
     * @param offset the probed instruction's file offset
     * @param sink   where the kept events go
     * @param keep   which events to keep
     * @param stacks the user stacks an event carries, taken while the thread is stopped
     * @return the probe, for {@link Tracer#register(ProbeInfo)}
     */
    public static ProbeInfo info(ProbeDefinition d, Path file, long offset, EventSink sink, Predicate<ProbeEvent> keep,
                                 Function<ProbeContext, EventStacks> stacks) {
        ProbeHandler emit = new EventRecorder(d, sink, keep, stacks);
        ProbeInfo.Builder b = ProbeInfo.address(file, offset);
        d.target().refCtrOffset().ifPresent(b::refCtrOffset);
        return (d.isReturn() ? b.returnHandler(emit) : b.preHandler(emit)).build();
    }
}
