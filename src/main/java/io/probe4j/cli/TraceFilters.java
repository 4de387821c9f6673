package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.engine.kernel.KernelTracer;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.event.ProbeEvent;
import io.probe4j.filter.EventFields;
import io.probe4j.filter.EventFilter;
import io.probe4j.filter.FilterException;
import io.probe4j.spec.KprobeDefinition;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code probe4j trace --filter 'EVENT: EXPRESSION'} (repeatable): the kernel's event filter of each event,
 * checked against the event's fields before anything is traced, with the kernel's message on a mistake.
 * EVENT is an event's name, {@code GROUP/NAME}, or {@code *} for every event (a filter naming the event
 * wins over {@code *}). The kernel engine writes the text into its instance's {@code filter} files; the
 * trap engine evaluates it in Java.
 */
final class TraceFilters {
    /** Filters by {@code group/event}. */
    private final Map<String, EventFilter> byEvent;

    private TraceFilters(Map<String, EventFilter> byEvent) {
        this.byEvent = byEvent;
    }

    static TraceFilters of(List<String> options, List<ResolvedProbe> probes, List<KprobeDefinition> kprobes) {
        Map<String, EventFields> fields = new LinkedHashMap<>();
        probes.forEach(p -> fields.put(p.definition().group() + "/" + p.definition().event(), EventFields.of(p.definition())));
        kprobes.forEach(k -> fields.put(k.group() + "/" + k.event(), EventFields.of(k)));
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, String> wildcard = new LinkedHashMap<>();
        for (String option : options) {
            int colon = option.indexOf(':');
            if (colon < 0) {
                throw new UserException("probe4j trace: --filter takes 'EVENT: EXPRESSION' (EVENT an event's name, GROUP/NAME or *), not '"
                        + option + "'");
            }
            String event = option.substring(0, colon).strip();
            String expression = typed(option.substring(colon + 1).stripLeading());
            List<String> matched = event.equals("*") ? List.copyOf(fields.keySet())
                    : fields.keySet().stream().filter(k -> k.equals(event) || k.endsWith("/" + event)).toList();
            if (matched.isEmpty()) {
                throw new UserException("probe4j trace: --filter '" + option + "': no event named " + event + " (the events: "
                        + String.join(", ", fields.keySet().stream().map(k -> k.substring(k.indexOf('/') + 1)).toList()) + ")");
            }
            Map<String, String> into = event.equals("*") ? wildcard : texts;
            for (String k : matched) {
                if (into.put(k, expression) != null) {
                    throw new UserException("probe4j trace: two --filter options for event " + k + "; give one expression (join them with &&)");
                }
            }
        }
        wildcard.forEach(texts::putIfAbsent);
        Map<String, EventFilter> byEvent = new LinkedHashMap<>();
        texts.forEach((k, text) -> {
            try {
                EventFilter.parse(text, fields.get(k)).ifPresent(f -> byEvent.put(k, f));
            } catch (FilterException e) {
                throw new UserException("probe4j trace: bad filter for event " + k.substring(k.indexOf('/') + 1) + ":\n"
                        + shown(e.getMessage()), 2);
            }
        });
        return new TraceFilters(byEvent);
    }

    /** What the trap engine keeps of an event's hits. */
    Predicate<ProbeEvent> keep(ResolvedProbe p) {
        EventFilter f = byEvent.get(p.definition().group() + "/" + p.definition().event());
        return f == null ? e -> true : f::matches;
    }

    /** The filter of event {@code GROUP/NAME}, or null. */
    EventFilter filter(String groupAndName) {
        return byEvent.get(groupAndName);
    }

    /** These filters but those of {@code events} ({@code GROUP/NAME}), which are evaluated with their triggers. */
    TraceFilters except(java.util.Set<String> events) {
        Map<String, EventFilter> rest = new LinkedHashMap<>(byEvent);
        rest.keySet().removeAll(events);
        return new TraceFilters(rest);
    }

    /** Sets every filter in the kernel engine's instance. */
    void applyTo(KernelTracer tracer) {
        byEvent.forEach((k, f) -> tracer.filter(k.substring(0, k.indexOf('/')), k.substring(k.indexOf('/') + 1), f.text()));
    }

    /**
     * The bytes the user typed, one char per byte: the kernel compares bytes, and a string in a filter must
     * match the program's bytes (UTF-8, say) whatever Java made of the argument.
     */
    static String typed(String s) {
        return new String(s.getBytes(nativeCharset()), StandardCharsets.ISO_8859_1);
    }

    static String shown(String s) {
        return new String(s.getBytes(StandardCharsets.ISO_8859_1), nativeCharset());
    }

    private static Charset nativeCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
