package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.StreamSink;
import io.probe4j.filter.EventFields;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.trigger.HistField;
import io.probe4j.trigger.Trigger;
import io.probe4j.trigger.TriggerException;
import io.probe4j.trigger.Triggers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code probe4j trace --trigger 'EVENT: TRIGGER'} (repeatable, in order): the kernel's triggers, carried out in
 * Java for both engines ({@link Triggers}) on the events they hand over. The trace's printing is the
 * instance's {@code tracing_on} and recording: {@code traceoff} stops it, {@code traceon} restarts it, an event
 * an {@code enable_event} names is printed only once that trigger fired. An event with triggers has its
 * {@code --filter} evaluated here too (the kernel runs triggers before the filter, so the engine must not drop
 * its hits first). The hist triggers' tables are printed at the end, and every {@code --interval} seconds.
 */
final class TraceTriggers {
    private final Triggers triggers;
    private final TriggerOptions options;
    private final TraceFilters filters;
    private final Set<String> triggered;

    private TraceTriggers(Triggers triggers, TriggerOptions options, TraceFilters filters, Set<String> triggered) {
        this.triggers = triggers;
        this.options = options;
        this.filters = filters;
        this.triggered = triggered;
    }

    /** The triggers of the options; a {@code ustack} hist key tells {@code stacks} to unwind each hit. */
    static TraceTriggers of(TriggerOptions options, List<ResolvedProbe> probes, List<KprobeDefinition> kprobes,
                            TraceFilters filters, StackOptions stacks, boolean kernelEngine) {
        if (options.interval != null && !(options.interval > 0)) {
            throw new UserException("probe4j trace: --interval takes a number of seconds above 0, not " + options.interval);
        }
        Triggers t = new Triggers();
        probes.forEach(p -> t.addEvent(p.definition().group(), p.definition().event(), EventFields.of(p.definition())));
        kprobes.forEach(k -> t.addEvent(k.group(), k.event(), EventFields.of(k)));
        List<String> enabledByTrigger = new ArrayList<>();
        for (String option : options.texts) {
            int colon = option.indexOf(':');
            if (colon < 0) {
                throw new UserException("probe4j trace: --trigger takes 'EVENT: TRIGGER' (EVENT an event's name, GROUP/NAME or *), "
                        + "not '" + option + "'");
            }
            String event = option.substring(0, colon).strip();
            String text = TraceFilters.typed(option.substring(colon + 1));
            List<String> matched = event.equals("*") ? t.events()
                    : t.events().stream().filter(k -> k.equals(event) || k.endsWith("/" + event)).toList();
            if (matched.isEmpty()) {
                throw new UserException("probe4j trace: --trigger '" + option + "': no event named " + event + " (the events: "
                        + String.join(", ", t.events().stream().map(k -> k.substring(k.indexOf('/') + 1)).toList()) + ")");
            }
            for (String k : matched) {
                String group = k.substring(0, k.indexOf('/'));
                String name = k.substring(k.indexOf('/') + 1);
                try {
                    Trigger.Write w = t.write(group, name, text);
                    if (!w.remove() && w.trigger() instanceof Trigger.Hist h
                            && h.spec().keys().stream().anyMatch(f -> f.source() == HistField.Source.USTACK)) {
                        stacks.histKeysUstack(kernelEngine);
                    }
                    if (!w.remove() && w.trigger() instanceof Trigger.Toggle g && g.kind() == Trigger.Kind.ENABLE_EVENT) {
                        enabledByTrigger.add(g.group() + "/" + g.event());
                    }
                } catch (TriggerException e) {
                    throw new UserException("probe4j trace: bad trigger for event " + name + ":\n" + TraceFilters.shown(e.getMessage()), 2);
                }
            }
        }
        // the kernel's way to use enable_event: the named event is defined but not enabled until the trigger fires
        enabledByTrigger.forEach(k -> t.disable(k.substring(0, k.indexOf('/')), k.substring(k.indexOf('/') + 1)));
        t.tracingOn(!options.tracingOff);
        Set<String> triggered = new LinkedHashSet<>();
        for (String k : t.events()) {
            String group = k.substring(0, k.indexOf('/'));
            String name = k.substring(k.indexOf('/') + 1);
            if (t.hasTriggers(group, name)) {
                triggered.add(k);
                t.filter(group, name, filters.filter(k));
            }
        }
        return new TraceTriggers(t, options, filters.except(triggered), triggered);
    }

    /** The filters the engines apply: those of events without triggers. */
    TraceFilters filters() {
        return filters;
    }

    /** The sink events go to: through the triggers first, when there are any; it prints the tables at the end. */
    EventSink sink(StreamSink down) {
        if (options.texts.isEmpty() && !options.tracingOff) {
            return down;
        }
        return new TriggeredSink(down);
    }

    /** The hist tables, in the chosen format, for every event that has hist triggers. */
    private void report(StreamSink down) {
        for (String k : triggered) {
            String group = k.substring(0, k.indexOf('/'));
            String name = k.substring(k.indexOf('/') + 1);
            if (!triggers.hasHist(group, name)) {
                continue;
            }
            if (options.histFormat == TriggerOptions.HistFormat.bars) {
                down.report(group, name, "bars", triggers.histBars(group, name));
            } else {
                down.report(group, name, "hist", "==> " + k + "/hist <==\n" + triggers.histFile(group, name) + "\n");
            }
        }
        down.flush();
    }

    /** Events through the triggers, then (if recorded) on to the output; the tables at intervals and at the end. */
    private final class TriggeredSink implements EventSink {
        private final StreamSink down;
        private final ScheduledExecutorService ticker;
        private boolean closed;

        TriggeredSink(StreamSink down) {
            this.down = down;
            if (options.interval == null) {
                ticker = null;
            } else {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread th = new Thread(r, "probe4j-interval");
                    th.setDaemon(true);
                    return th;
                });
                long ms = Math.max(1, Math.round(options.interval * 1000));
                ticker.scheduleAtFixedRate(() -> report(down), ms, ms, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void accept(ProbeEvent e) {
            if (triggers.hit(e)) {
                down.accept(e);
            }
        }

        @Override
        public void missed(String group, String event, long count) {
            down.missed(group, event, count);
        }

        @Override
        public void flush() {
            down.flush();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (ticker != null) {
                ticker.shutdownNow();
            }
            report(down);
            down.close();
        }
    }
}
