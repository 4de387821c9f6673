package io.probe4j.trigger;

import io.probe4j.event.ProbeEvent;
import io.probe4j.filter.EventFields;
import io.probe4j.spec.ProbeDefinition;

/**
 * A hist trigger for Java code: built from the text one would write to the event's {@code trigger} file, fed
 * {@link ProbeEvent}s, shown as the kernel's {@code hist} file prints it or as bars.
 *
 * <pre>{@code
 * Histogram h = Histogram.of("hist:keys=len.log2:vals=hitcount:sort=len", definition);
 * h.accept(event);                      // for every hit of the definition's event
 * System.out.print(h.text());           // # event histogram ... { len: ~ 2^10 } hitcount: 3 ... Totals: ...
 * System.out.print(h.bars());           // (512, 1K]    3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 * }</pre>
 * The condition ({@code hist:... if FILTER}) is applied to each event; a paused histogram counts nothing.
 * Thread-safe.
 */
public final class Histogram {
    private final ActiveTrigger trigger;
    private final String label;

    private Histogram(ActiveTrigger trigger, String label) {
        this.trigger = trigger;
        this.label = label;
    }

    /** The hist trigger {@code text} of an event with {@code fields}, named {@code group/event} in errors and bars. */
    public static Histogram of(String text, EventFields fields, String group, String event) {
        Trigger.Write w = new TriggerParser(group, event, fields, (g, e) -> false).parse(text);
        if (!(w.trigger() instanceof Trigger.Hist h) || w.remove()) {
            throw TriggerException.unsupported(text, "a Histogram is a hist:... trigger");
        }
        ActiveTrigger t = new ActiveTrigger(h, new HistTable(h.spec()), h.spec().name(), h.spec().name() != null, null);
        t.paused = h.spec().pause();
        return new Histogram(t, group + "/" + event);
    }

    /** The hist trigger {@code text} of the event {@code d} defines. */
    public static Histogram of(String text, ProbeDefinition d) {
        return of(text, EventFields.of(d), d.group(), d.event());
    }

    /** Counts one hit (unless paused, or the condition refuses it). */
    public synchronized void accept(ProbeEvent e) {
        if (trigger.paused || trigger.condition() != null && !trigger.condition().matches(e)) {
            return;
        }
        trigger.table.add(e);
    }

    /** The table as the kernel's {@code hist} file shows it. */
    public synchronized String text() {
        return HistText.block(trigger.table, trigger.condition() == null ? null : trigger.condition().text(), trigger.paused);
    }

    /** The table drawn as bars, the way bpftrace prints {@code hist()}, {@code lhist()} and counts. */
    public synchronized String bars() {
        return HistBars.draw(label, trigger);
    }

    /** The trigger as the {@code trigger} file lists it. */
    public synchronized String describe() {
        return trigger.describe();
    }

    /** {@code :pause}. */
    public synchronized void pause() {
        trigger.paused = true;
    }

    /** {@code :cont}. */
    public synchronized void cont() {
        trigger.paused = false;
    }

    /** {@code :clear}: no entries, no hits. */
    public synchronized void clear() {
        trigger.table.clear();
    }

    /** {@code Totals: Hits}. */
    public synchronized long hits() {
        return trigger.table.hits();
    }

    /** {@code Totals: Entries}. */
    public synchronized int entries() {
        return trigger.table.entries().size();
    }

    /** {@code Totals: Dropped}: hits with a new key once the table was full. */
    public synchronized long dropped() {
        return trigger.table.drops();
    }
}
