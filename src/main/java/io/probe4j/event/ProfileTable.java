package io.probe4j.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hit counts per event in the layout of the kernel's {@code uprobe_profile}
 * ({@code "  %s %-44s %15lu\n"}: file, event name, hits), one line per defined event in definition order.
 */
public final class ProfileTable {
    private final Map<String, Row> rows = new LinkedHashMap<>();

    private static final class Row {
        final String path;
        final String event;
        long hits;

        Row(String path, String event) {
            this.path = path;
            this.event = event;
        }
    }

    /** Declares an event (so it is listed even with no hits). {@code path} is the probed file as the kernel names it. */
    public void declare(String group, String event, String path) {
        rows.putIfAbsent(group + "/" + event, new Row(path, event));
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

    /** Hits counted for an event. */
    public long hits(String group, String event) {
        Row r = rows.get(group + "/" + event);
        return r == null ? 0 : r.hits;
    }

    /** The table, one line per event. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Row r : rows.values()) {
            b.append("  ").append(r.path).append(' ').append(r.event);
            b.append(" ".repeat(Math.max(0, 44 - r.event.length())));
            String hits = Long.toUnsignedString(r.hits);
            b.append(' ').append(" ".repeat(Math.max(0, 15 - hits.length()))).append(hits).append('\n');
        }
        return b.toString();
    }
}
