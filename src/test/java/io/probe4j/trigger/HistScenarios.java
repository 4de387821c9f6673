package io.probe4j.trigger;

import java.util.ArrayList;
import java.util.List;

/**
 * Traces of the fixture with triggers, run by the kernel (an instance of the test's own) and by probe4j's
 * command line on the same hits: which events are recorded, and the hist files.
 *
 * @param name     for messages
 * @param calls    how many times the fixture calls record()
 * @param off      start with tracing off
 * @param filters  {event, filter}
 * @param triggers {event, trigger}, written in this order
 */
record HistScenarios(String name, int calls, boolean off, List<String[]> filters, List<String[]> triggers) {

    static HistScenarios of(String name, int calls, boolean off, String... eventTriggerPairs) {
        List<String[]> filters = new ArrayList<>();
        List<String[]> triggers = new ArrayList<>();
        for (int i = 0; i < eventTriggerPairs.length; i += 2) {
            String event = eventTriggerPairs[i];
            if (event.startsWith("filter ")) {
                filters.add(new String[] {event.substring(7), eventTriggerPairs[i + 1]});
            } else {
                triggers.add(new String[] {event, eventTriggerPairs[i + 1]});
            }
        }
        return new HistScenarios(name, calls, off, filters, triggers);
    }

    /** The triggers that decide what is recorded, and those that feed hists in unusual ways. */
    static List<HistScenarios> semantic() {
        return List.of(
                of("traceoff after three negative v8", 240, false, "rec", "traceoff:3 if v8 < 0"),
                of("traceon once small is large", 240, true, "rec", "traceon if small > 200"),
                of("traceoff counts only changes", 240, false, "rec2", "traceoff:2 if seq > 20", "ret", "traceon:1 if rv < 0"),
                of("enable_event and a self-disabling event", 240, false, "ret", "enable_event:histo:rec2:2 if rv < 0",
                        "rec2", "disable_event:histo:rec2 if seq > 150"),
                of("unconditional enable_event", 240, false, "ret", "enable_event:histo:rec2"),
                of("filter, traceon and a hist that sees every hit", 240, true, "filter rec", "small > 30",
                        "rec", "traceon:1 if small < 50", "rec", "hist:keys=small.buckets=64"),
                of("filter and traceon without a condition", 240, true, "filter rec", "small > 100", "ret", "traceon"),
                of("disable_hist and enable_hist", 240, false, "ret", "hist:keys=rv.log2", "rec", "disable_hist:histo:ret:1 if seq == 100",
                        "rec2", "enable_hist:histo:ret:1 if seq == 200"),
                of("a hist created paused, continued by a trigger", 240, false, "ret", "hist:keys=rv.log2",
                        "ret", "hist:keys=rv.log2:pause", "rec", "enable_hist:histo:ret if seq == 120"),
                of("one named table for two events", 240, false, "rec", "hist:name=both:keys=seq.buckets=50",
                        "rec2", "hist:name=both:keys=seq.buckets=50"),
                of("a full table drops", 240, false, "rec", "hist:keys=seq:size=100"),
                of("removed triggers", 240, false, "rec", "traceoff:5 if small > 128", "rec", "!traceon",
                        "rec", "hist:keys=name", "rec", "!hist:keys=name", "rec", "hist:keys=v8:vals=v"),
                of("tracing off, a hist of everything", 240, true, "rec", "hist:keys=name:vals=v:sort=v.descending"));
    }
}
