package io.probe4j.trigger;

import io.probe4j.filter.EventFilter;

/**
 * A trigger set on an event, with what it keeps between hits ({@code struct event_trigger_data}): the count
 * left, whether it is paused (hist triggers), the table it adds to (shared by the hist triggers of one name),
 * and the event a toggle acts on.
 */
final class ActiveTrigger {
    final Trigger trigger;
    /** The count left; -1 is unlimited. */
    long count;
    boolean paused;
    /** A hist trigger's table: its own, or the named one it shares. */
    final HistTable table;
    /** The name of a named hist trigger ({@code name=NAME}), or null. */
    final String name;
    /** Whether this named trigger owns the table (it was the first with its name). */
    final boolean owner;
    /** The event a toggle acts on, or null. */
    final EventTriggers target;

    ActiveTrigger(Trigger trigger, HistTable table, String name, boolean owner, EventTriggers target) {
        this.trigger = trigger;
        this.count = trigger instanceof Trigger.TraceOnOff o ? o.count()
                : trigger instanceof Trigger.Toggle t ? t.count() : -1;
        this.table = table;
        this.name = name;
        this.owner = owner;
        this.target = target;
    }

    EventFilter condition() {
        return trigger.condition();
    }

    /** Runs after the event is recorded ({@code EVENT_CMD_FL_POST_TRIGGER}): {@code traceoff}. */
    boolean post() {
        return trigger instanceof Trigger.TraceOnOff o && !o.on();
    }

    /** Needs the event's record: hist triggers. */
    boolean needsRecord() {
        return trigger instanceof Trigger.Hist;
    }

    /** The hist trigger's spec (a named trigger shows the spec of the table it shares). */
    HistSpec spec() {
        return table.spec();
    }

    /**
     * The trigger as the {@code trigger} file lists it: {@code traceon:unlimited}, {@code traceoff:count=2 if x > 1},
     * {@code enable_event:uprobes:b:unlimited}, or the hist's {@code hist:keys=...} line.
     */
    String describe() {
        String condition = condition() == null ? null : condition().text();
        return switch (trigger) {
            case Trigger.TraceOnOff o -> counted(o.on() ? "traceon" : "traceoff", condition);
            case Trigger.Toggle t -> counted(t.kind().command() + ":" + t.group() + ":" + t.event(), condition);
            case Trigger.Hist h -> spec().describe(condition, paused);
        };
    }

    private String counted(String head, String condition) {
        return head + (count == -1 ? ":unlimited" : ":count=" + Long.toUnsignedString(count))
                + (condition == null ? "" : " if " + condition);
    }
}
