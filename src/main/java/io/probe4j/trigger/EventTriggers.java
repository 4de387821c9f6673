package io.probe4j.trigger;

import io.probe4j.filter.EventFields;
import io.probe4j.filter.EventFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * One event's side of triggers ({@code struct trace_event_file}): its triggers in the kernel's list order
 * (new triggers go first, hist triggers last), its own filter, and whether it is recorded: "soft" disabled
 * by an {@code enable_event} trigger waiting to fire, or off altogether.
 */
final class EventTriggers {
    final String group;
    final String event;
    final EventFields fields;
    final TriggerParser parser;
    final List<ActiveTrigger> triggers = new ArrayList<>();
    /** The event's filter ({@code --filter}), evaluated here for an event that has triggers. */
    EventFilter filter;
    /** The user enabled the event; events an {@code enable_event} names start disabled. */
    boolean enabled = true;
    /** Triggers that act on this event ({@code sm_ref}): while there are any, it is in soft mode. */
    int softModeRefs;
    /** {@code EVENT_FILE_FL_SOFT_DISABLED}: registered, its triggers run, nothing is recorded. */
    boolean softDisabled;

    EventTriggers(String group, String event, EventFields fields, TriggerParser parser) {
        this.group = group;
        this.event = event;
        this.fields = fields;
        this.parser = parser;
    }

    /** Whether the kernel calls this event at all (a soft-disabled event still runs its triggers). */
    boolean registered() {
        return enabled || softModeRefs > 0;
    }

    /** {@code EVENT_FILE_FL_TRIGGER_COND}: a trigger with a condition, a post trigger or a hist trigger. */
    boolean conditional;

    /** {@code update_cond_flag()}. */
    void updateCondFlag() {
        conditional = triggers.stream().anyMatch(t -> t.condition() != null || t.post() || t.needsRecord());
    }

    /** {@code trace_event_enable_disable(file, 1, 1)}: a trigger now acts on this event. */
    void enterSoftMode() {
        if (softModeRefs++ == 0 && !enabled) {
            softDisabled = true;
        }
    }

    /** {@code trace_event_enable_disable(file, 0, 1)}: one trigger less acts on it. */
    void leaveSoftMode() {
        if (--softModeRefs == 0) {
            if (softDisabled) {
                enabled = false; // the kernel unregisters an event it leaves soft mode in while soft-disabled
            }
            softDisabled = false;
        }
    }

    /** The event's {@code trigger} file. */
    String triggerFile() {
        StringBuilder b = new StringBuilder();
        for (ActiveTrigger t : triggers) {
            b.append(t.describe()).append('\n');
        }
        return b.toString();
    }

    /** The event's {@code hist} file: each hist trigger's block, a blank line between two. */
    String histFile() {
        StringBuilder b = new StringBuilder();
        for (ActiveTrigger t : triggers) {
            if (t.trigger instanceof Trigger.Hist) {
                if (!b.isEmpty()) {
                    b.append("\n\n");
                }
                b.append(HistText.block(t.table, t.condition() == null ? null : t.condition().text(), t.paused));
            }
        }
        return b.toString();
    }

    /** Whether any hist trigger is set. */
    boolean hasHist() {
        return triggers.stream().anyMatch(t -> t.trigger instanceof Trigger.Hist);
    }
}
