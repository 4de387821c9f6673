package io.probe4j.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hit counts per event in the layouts of the kernel's profile files, one line per defined event in
 * definition order: {@code uprobe_profile} ({@code "  %s %-44s %15lu\n"}: file, event name, hits) for
 * uprobes, {@code kprobe_profile} ({@code "  %-44s %15lu %15lu\n"}: event name, hits, missed) for kprobes.
 */
public final class ProfileTable {
    private final Map<String, Row> rows = new LinkedHashMap<>();

    private static final class Row {
        final String path;      // null: a kprobe
        final String event;
        long hits;
        long missed;

        Row(String path, String event) {
            this.path = path;
            this.event = event;
        }
    }

    /** Declares an event (so it is listed even with no hits). {@code path} is the probed file as the kernel names it. */
    public void declare(String group, String event, String path) {
        rows.putIfAbsent(group + "/" + event, new Row(path, event));
    }

    /** Declares a kprobe event: it is listed in the {@code kprobe_profile} layout. */
    public void declareKprobe(String group, String event) {
        rows.putIfAbsent(group + "/" + event, new Row(null, event));
    }

    /** Counts one hit. */
    public void count(ProbeEvent e) {
        Row r = rows.get(e.group() + "/" + e.event());
        if (r == null) {
            r = new Row("?", e.event());
            rows.put(e.group() + "/" + e.event(), r);
        }
        r.hits++;
    }

    /** Sets a kprobe's missed count (the kernel's {@code nmissed}); ignored for undeclared events. */
    public void missed(String group, String event, long count) {
        Row r = rows.get(group + "/" + event);
        if (r != null) {
            r.missed = count;
        }
    }

    /** Hits counted for an event. */
    public long hits(String group, String event) {
        Row r = rows.get(group + "/" + event);
        return r == null ? 0 : r.hits;
    }

    /** The table, one line per event. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Row r : rows.values()) {
            b.append("  ");
            if (r.path != null) {
                b.append(r.path).append(' ');
            }
            b.append(r.event).append(" ".repeat(Math.max(0, 44 - r.event.length())));
            rightAligned(b, r.hits);
            if (r.path == null) {
                rightAligned(b, r.missed);
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void rightAligned(StringBuilder b, long n) {
        String s = Long.toUnsignedString(n);
        b.append(' ').append(" ".repeat(Math.max(0, 15 - s.length()))).append(s);
    }
}
