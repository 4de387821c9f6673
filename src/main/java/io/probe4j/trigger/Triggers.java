package io.probe4j.trigger;

import io.probe4j.event.ProbeEvent;
import io.probe4j.filter.EventFields;
import io.probe4j.filter.EventFilter;
import io.probe4j.spec.Errno;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The triggers of one trace, over probe4j's events, carried out in Java the way the kernel carries them out
 * in a tracefs instance: {@link #write} is a write to an event's {@code trigger} file, {@link #hit} is what
 * happens when the event fires ({@code __uprobe_trace_func()}: unconditional triggers before the record,
 * the others with it, {@code traceoff} after it is committed; then the soft-disabled flag, the event's
 * filter and {@code tracing_on} decide whether it is recorded), and {@link #histFile} is the event's
 * {@code hist} file.
 *
 * <pre>{@code
 * Triggers t = new Triggers();
 * t.addEvent("uprobes", "getenv", EventFields.of(definition));
 * t.write("uprobes", "getenv", "hist:keys=name:sort=hitcount.descending");
 * for (ProbeEvent e : events) { if (t.hit(e)) print(e); }
 * System.out.print(t.histFile("uprobes", "getenv"));
 * }</pre>
 * Thread-safe: hits come from the engine's thread, hist files may be read from another.
 */
public final class Triggers {
    /** By group, then by name (a hit looks its event up without building a string). */
    private final Map<String, Map<String, EventTriggers>> events = new LinkedHashMap<>();
    /** {@code named_triggers}: the first hist trigger of each name, the one that owns the table. */
    private final Map<String, ActiveTrigger> named = new LinkedHashMap<>();
    private final Map<HistTable, Integer> tableRefs = new java.util.IdentityHashMap<>();
    private boolean tracingOn = true;
    /** {@code no_filter_buffering_ref}: hist triggers with timestamps in the instance. */
    private int noFilterBuffering;

    /** Adds an event triggers may be set on and may name. */
    public synchronized void addEvent(String group, String event, EventFields fields) {
        events.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(event, new EventTriggers(group, event, fields,
                new TriggerParser(group, event, fields, (g, e) -> find(g, e) != null)));
    }

    /** The event's own filter, evaluated with its triggers ({@code --filter}); null for none. */
    public synchronized void filter(String group, String event, EventFilter filter) {
        file(group, event).filter = filter;
    }

    /**
     * Marks the event as not enabled by the user: recorded only once an {@code enable_event} trigger turns it
     * on. (probe4j enables every event it traces, but for those an {@code enable_event} names.)
     */
    public synchronized void disable(String group, String event) {
        EventTriggers f = file(group, event);
        f.enabled = false;
        if (f.softModeRefs > 0) {
            f.softDisabled = true;
        }
    }

    /** {@code tracing_on}: whether events are recorded at all (triggers run either way). */
    public synchronized void tracingOn(boolean on) {
        tracingOn = on;
    }

    public synchronized boolean tracingOn() {
        return tracingOn;
    }

    /** Whether the event has triggers (then its filter must be evaluated here, not before). */
    public synchronized boolean hasTriggers(String group, String event) {
        return !file(group, event).triggers.isEmpty();
    }

    /** Whether the event has hist triggers. */
    public synchronized boolean hasHist(String group, String event) {
        return file(group, event).hasHist();
    }

    /** The events, as {@code GROUP/EVENT}, in the order they were added. */
    public synchronized List<String> events() {
        List<String> out = new ArrayList<>();
        events.forEach((g, byName) -> byName.keySet().forEach(e -> out.add(g + "/" + e)));
        return out;
    }

    /**
     * A write to the event's {@code trigger} file: adds the trigger, or removes one ({@code !TRIGGER}), or
     * pauses, continues or clears a hist ({@code hist:...:pause}). A write the kernel refuses is a
     * {@link TriggerException} with the kernel's errno and {@code error_log} entry.
     */
    public synchronized Trigger.Write write(String group, String event, String text) {
        EventTriggers file = file(group, event);
        Trigger.Write w = file.parser.parse(text);
        if (w.remove()) {
            remove(file, w.trigger());
            return w;
        }
        switch (w.trigger()) {
            case Trigger.TraceOnOff o -> {
                exclusive(file, o, text);
                register(file, new ActiveTrigger(o, null, null, false, null), false);
            }
            case Trigger.Toggle t -> {
                EventTriggers target = file(t.group(), t.event());
                for (ActiveTrigger a : file.triggers) {
                    if (a.trigger.type() == t.type() && a.target == target) {
                        throw TriggerException.silent(text, "a trigger of this kind already acts on " + t.group() + ":" + t.event(),
                                Errno.EEXIST);
                    }
                }
                target.enterSoftMode();
                register(file, new ActiveTrigger(t, null, null, false, target), false);
            }
            case Trigger.Hist h -> hist(file, h, text);
        }
        return w;
    }

    private void exclusive(EventTriggers file, Trigger t, String text) {
        for (ActiveTrigger a : file.triggers) {
            if (a.trigger.type() == t.type()) {
                throw TriggerException.silent(text, "the event has a trigger of this kind already (traceon and traceoff "
                        + "count as one kind)", Errno.EEXIST);
            }
        }
    }

    /** {@code register_trigger()} and {@code hist_trigger_enable()}: first in the list, hist triggers last. */
    private void register(EventTriggers file, ActiveTrigger t, boolean last) {
        if (file.triggers.isEmpty()) {
            file.enterSoftMode(); // trace_event_trigger_enable_disable(): an event with triggers is registered
        }
        if (last) {
            file.triggers.add(t);
        } else {
            file.triggers.addFirst(t);
        }
        file.updateCondFlag();
    }

    private void unregister(EventTriggers file, ActiveTrigger t) {
        file.triggers.remove(t);
        file.updateCondFlag();
        if (file.triggers.isEmpty()) {
            file.leaveSoftMode();
        }
        if (t.target != null) {
            t.target.leaveSoftMode();
        }
        if (t.table != null) {
            release(t);
        }
    }

    private void remove(EventTriggers file, Trigger t) {
        for (ActiveTrigger a : file.triggers) {
            boolean same = switch (t) {
                case Trigger.Toggle x -> a.trigger.type() == x.type() && a.target == file(x.group(), x.event());
                case Trigger.Hist h -> a.trigger instanceof Trigger.Hist && HistMatch.matches(h.spec(), h.condition(),
                        a, h.spec().name() == null ? null : named.get(h.spec().name()), false);
                default -> a.trigger.type() == t.type();
            };
            if (same) {
                unregister(file, a);
                return;
            }
        }
    }

    /** {@code existing_hist_update_only()}, then {@code hist_register_trigger()}. */
    private void hist(EventTriggers file, Trigger.Hist h, String text) {
        HistSpec spec = h.spec();
        ActiveTrigger owner = spec.name() == null ? null : named.get(spec.name());
        if (spec.pause() || spec.cont() || spec.clear()) {
            boolean nameOk = spec.name() == null || owner != null && HistMatch.matches(spec, h.condition(), owner, owner, true);
            if (nameOk) {
                for (ActiveTrigger a : file.triggers) {
                    if (a.trigger instanceof Trigger.Hist && HistMatch.matches(spec, h.condition(), a, owner, false)) {
                        if (spec.pause()) {
                            a.paused = true;
                        } else if (spec.cont()) {
                            a.paused = false;
                        } else {
                            a.table.clear();
                        }
                        return;
                    }
                }
            }
        }
        if (owner != null && !HistMatch.matches(spec, h.condition(), owner, owner, true)) {
            throw histError(text, file, HistError.NAMED_MISMATCH, spec.name(), Errno.EINVAL);
        }
        if (spec.name() == null || owner != null) {
            for (ActiveTrigger a : file.triggers) {
                if (a.trigger instanceof Trigger.Hist && HistMatch.matches(spec, h.condition(), a, owner, false)) {
                    throw histError(text, file, HistError.TRIGGER_EEXIST, null, Errno.EEXIST);
                }
            }
        }
        if (spec.cont() || spec.clear()) {
            throw histError(text, file, HistError.TRIGGER_ENOENT_CLEAR, null, Errno.ENOENT);
        }
        HistParser.checkClock(text, spec, file.group, file.event);
        HistTable table = owner != null ? owner.table : new HistTable(spec);
        ActiveTrigger t = new ActiveTrigger(h, table, spec.name(), owner == null && spec.name() != null, null);
        t.paused = spec.pause();
        tableRefs.merge(table, 1, Integer::sum);
        if (t.owner) {
            named.put(spec.name(), t);
        }
        if (spec.usesTimestamps()) {
            noFilterBuffering++;
        }
        register(file, t, true);
    }

    private void release(ActiveTrigger t) {
        if (((Trigger.Hist) t.trigger).spec().usesTimestamps()) {
            noFilterBuffering--;
        }
        if (tableRefs.merge(t.table, -1, Integer::sum) == 0) {
            tableRefs.remove(t.table);
            named.values().removeIf(o -> o.table == t.table);
        }
    }

    private TriggerException histError(String text, EventTriggers file, HistError e, String at, Errno errno) {
        return HistParser.error(text, file.group, file.event, e, at, errno);
    }

    /**
     * The event fired: runs its triggers as the kernel does and says whether the event is recorded (printed).
     * An event probe4j does not know is recorded as {@code tracing_on} says.
     */
    public synchronized boolean hit(ProbeEvent e) {
        EventTriggers file = find(e.group(), e.event());
        if (file == null) {
            return tracingOn;
        }
        if (!file.registered()) {
            return false;
        }
        if (!file.conditional) {
            // trace_trigger_soft_disabled(): triggers that need nothing of the record run before it is made
            for (ActiveTrigger t : file.triggers) {
                if (!t.paused) {
                    fire(t);
                }
            }
            if (file.softDisabled) {
                return false;
            }
            return tracingOn && (file.filter == null || file.filter.matches(e));
        }
        // the record is reserved: in the ring buffer while tracing is on, else in a scratch buffer the
        // triggers read; with a filter or soft-disabled, in a per-CPU buffer written out at the commit
        boolean buffered = noFilterBuffering == 0 && (file.filter != null || file.softDisabled);
        boolean reservedOn = tracingOn;
        Trigger.Type post = null; // at most one post trigger type: traceoff's
        for (ActiveTrigger t : file.triggers) {
            if (t.paused || t.condition() != null && !t.condition().matches(e)) {
                continue;
            }
            if (t.post()) {
                post = t.trigger.type();
                continue;
            }
            if (t.table != null) {
                t.table.add(e);
            } else {
                fire(t);
            }
        }
        boolean discard = file.softDisabled || file.filter != null && !file.filter.matches(e);
        boolean recorded = !discard && (buffered ? tracingOn : reservedOn);
        if (post != null) {
            // event_triggers_post_call(): every trigger of the type that matched, paused ones excepted
            for (ActiveTrigger t : file.triggers) {
                if (!t.paused && t.trigger.type() == post) {
                    fire(t);
                }
            }
        }
        return recorded;
    }

    /** One trigger's action, with its count: {@code traceon_count_trigger()} and friends. */
    private void fire(ActiveTrigger t) {
        switch (t.trigger) {
            case Trigger.TraceOnOff o -> {
                if (tracingOn == o.on() || t.count == 0) {
                    return; // already in that state: the count is not used up
                }
                countDown(t);
                tracingOn = o.on();
            }
            case Trigger.Toggle x when !x.type().equals(Trigger.Type.HIST_ENABLE) -> {
                if (t.count == 0 || t.count != -1 && x.enable() == !t.target.softDisabled) {
                    return;
                }
                countDown(t);
                t.target.softDisabled = !x.enable();
            }
            case Trigger.Toggle x -> {
                if (t.count == 0) {
                    return;
                }
                countDown(t);
                for (ActiveTrigger h : t.target.triggers) {
                    if (h.trigger instanceof Trigger.Hist) {
                        h.paused = !x.enable();
                    }
                }
            }
            case Trigger.Hist h -> {
                // a hist trigger with no record to read does nothing (event_hist_trigger() without rbe)
            }
        }
    }

    private static void countDown(ActiveTrigger t) {
        if (t.count != -1) {
            t.count--;
        }
    }

    /** The event's {@code trigger} file: one line per trigger, as the kernel lists them. */
    public synchronized String triggerFile(String group, String event) {
        return file(group, event).triggerFile();
    }

    /** The event's {@code hist} file: empty without hist triggers. */
    public synchronized String histFile(String group, String event) {
        return file(group, event).histFile();
    }

    /** The event's hist tables drawn as bars ({@link Histogram#bars()}), one chart after the other. */
    public synchronized String histBars(String group, String event) {
        StringBuilder b = new StringBuilder();
        for (ActiveTrigger t : file(group, event).triggers) {
            if (t.trigger instanceof Trigger.Hist) {
                b.append(HistBars.draw(group + "/" + event, t));
            }
        }
        return b.toString();
    }

    private EventTriggers file(String group, String event) {
        EventTriggers f = find(group, event);
        if (f == null) {
            throw new IllegalArgumentException("no event " + group + "/" + event);
        }
        return f;
    }

    private EventTriggers find(String group, String event) {
        Map<String, EventTriggers> byName = events.get(group);
        return byName == null ? null : byName.get(event);
    }
}
