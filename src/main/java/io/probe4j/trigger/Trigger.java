package io.probe4j.trigger;

import io.probe4j.filter.EventFilter;

/**
 * One trigger as written to an event's {@code trigger} file, parsed ({@code trace_events_trigger.c},
 * {@code trace_events_hist.c}). A count of -1 is {@code unlimited}. The condition ({@code if FILTER}) is
 * null when there is none.
 */
public sealed interface Trigger {

    /** The condition of {@code TRIGGER if FILTER}, or null. */
    EventFilter condition();

    /**
     * The kernel's {@code trigger_type}: an event holds one trigger of each type (one per target event for
     * {@link Toggle}s; hist triggers differ by their keys instead).
     */
    Type type();

    /** {@code enum event_trigger_type}, for the one-per-type rule and post triggers. */
    enum Type { TRACE_ONOFF, EVENT_ENABLE, HIST, HIST_ENABLE }

    /**
     * {@code traceon[:COUNT]} or {@code traceoff[:COUNT]}: turns tracing (probe4j's printing of events) on
     * or off. {@code traceoff} runs after the event is recorded (the kernel's post trigger).
     */
    record TraceOnOff(boolean on, long count, EventFilter condition) implements Trigger {
        @Override
        public Type type() {
            return Type.TRACE_ONOFF;
        }
    }

    /**
     * {@code enable_event:GROUP:EVENT[:COUNT]}, {@code disable_event:...}: turns another event's recording on
     * or off ("soft" enabling: the event stays registered, its triggers keep running);
     * {@code enable_hist:...}, {@code disable_hist:...}: continues or pauses its hist triggers.
     */
    record Toggle(Kind kind, String group, String event, long count, EventFilter condition) implements Trigger {
        @Override
        public Type type() {
            return kind.hist ? Type.HIST_ENABLE : Type.EVENT_ENABLE;
        }

        /** Whether it turns the target on ({@code enable_*}) rather than off. */
        public boolean enable() {
            return kind == Kind.ENABLE_EVENT || kind == Kind.ENABLE_HIST;
        }
    }

    /** The four commands of {@link Toggle}, by their names in the trigger language. */
    enum Kind {
        ENABLE_EVENT("enable_event", false), DISABLE_EVENT("disable_event", false),
        ENABLE_HIST("enable_hist", true), DISABLE_HIST("disable_hist", true);

        private final String command;
        private final boolean hist;

        Kind(String command, boolean hist) {
            this.command = command;
            this.hist = hist;
        }

        public String command() {
            return command;
        }

        static Kind of(String command) {
            for (Kind k : values()) {
                if (k.command.equals(command)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** {@code hist:...}: an aggregation table over the event's hits. */
    record Hist(HistSpec spec, EventFilter condition) implements Trigger {
        @Override
        public Type type() {
            return Type.HIST;
        }
    }

    /** A write to the {@code trigger} file: a trigger to add, or (written with {@code !}) one to remove. */
    record Write(Trigger trigger, boolean remove) {
    }
}
