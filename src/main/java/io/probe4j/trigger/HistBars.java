package io.probe4j.trigger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hist trigger's table drawn the way bpftrace prints its maps: a {@code .log2} key as a power-of-two
 * histogram ({@code hist()}), a {@code .buckets=N} key as a linear one ({@code lhist()}), empty buckets
 * between the smallest and the largest included, and any other keys as one bar per entry (a {@code count()}
 * map drawn as bars, in the hist's sort order). The bars measure {@code hitcount}; the hist's values follow
 * each bar. With a distribution key and other keys, each combination of the other keys gets its own chart,
 * headed {@code @GROUP/EVENT[key: value, ...]:}.
 *
 * <p>The kernel's {@code .log2} bucket {@code ~ 2^k} holds the values above 2^(k-1) up to 2^k, so the rows
 * read {@code (512, 1K]}; bpftrace's {@code [512, 1K)} rounds the other way. Text is one byte per char, as
 * in the kernel's hist file.
 */
final class HistBars {
    private static final int BAR = 52;

    private HistBars() {
    }

    /** One row: its label, hitcount and value sums. */
    private record Row(String label, long[] sums) {
    }

    static String draw(String event, ActiveTrigger trigger) {
        HistTable table = trigger.table;
        HistSpec spec = table.spec();
        int[] offsets = table.offsets();
        List<HistTable.Entry> entries = HistText.sorted(table);
        int dist = -1;
        for (int i = 0; i < spec.keys().size(); i++) {
            HistField.Modifier m = spec.keys().get(i).modifier();
            if (m == HistField.Modifier.LOG2 || m == HistField.Modifier.BUCKETS) {
                dist = i;
                break;
            }
        }
        StringBuilder b = new StringBuilder();
        if (dist < 0) {
            List<Row> rows = new ArrayList<>();
            for (HistTable.Entry e : entries) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < spec.keys().size(); i++) {
                    parts.add(label(spec.keys().get(i), e, offsets[i]));
                }
                rows.add(new Row(String.join(", ", parts), e.sums));
            }
            chart(b, "@" + event + ":", rows, spec);
        } else {
            Map<String, List<HistTable.Entry>> groups = new LinkedHashMap<>();
            for (HistTable.Entry e : entries) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < spec.keys().size(); i++) {
                    if (i != dist) {
                        parts.add(spec.keys().get(i).name() + ": " + label(spec.keys().get(i), e, offsets[i]));
                    }
                }
                groups.computeIfAbsent(parts.isEmpty() ? "" : "[" + String.join(", ", parts) + "]", k -> new ArrayList<>()).add(e);
            }
            if (groups.isEmpty()) {
                groups.put("", List.of());
            }
            HistField key = spec.keys().get(dist);
            int at = offsets[dist];
            groups.forEach((g, list) -> chart(b, "@" + event + g + ":", distribution(key, at, list, spec), spec));
        }
        if (table.drops() > 0) {
            b.append("(").append(Long.toUnsignedString(table.drops())).append(" hits dropped: the table holds ")
                    .append(spec.maxEntries()).append(" entries; raise size=)\n");
        }
        return b.toString();
    }

    /** The buckets from the lowest to the highest that holds anything, empty ones included (up to 256 rows). */
    private static List<Row> distribution(HistField key, int at, List<HistTable.Entry> entries, HistSpec spec) {
        TreeMap<Long, long[]> byBucket = new TreeMap<>(Long::compareUnsigned);
        for (HistTable.Entry e : entries) {
            long[] sums = byBucket.computeIfAbsent(HistTable.getLong(e.key, at), k -> new long[e.sums.length]);
            for (int i = 0; i < sums.length; i++) {
                sums[i] += e.sums[i];
            }
        }
        List<Row> rows = new ArrayList<>();
        if (byBucket.isEmpty()) {
            return rows;
        }
        boolean log2 = key.modifier() == HistField.Modifier.LOG2;
        long step = log2 ? 1 : key.buckets();
        long first = byBucket.firstKey();
        long last = byBucket.lastKey();
        boolean fill = Long.compareUnsigned(Long.divideUnsigned(last - first, step), 256) < 0;
        if (!fill) {
            byBucket.forEach((k, sums) -> rows.add(new Row(bucket(key, k), sums)));
            return rows;
        }
        for (long k = first; ; k += step) {
            rows.add(new Row(bucket(key, k), byBucket.getOrDefault(k, new long[1 + spec.values().size()])));
            if (k == last) {
                break;
            }
        }
        return rows;
    }

    private static String bucket(HistField key, long k) {
        if (key.modifier() == HistField.Modifier.BUCKETS) {
            return "[" + Long.toUnsignedString(k) + ", " + Long.toUnsignedString(k + key.buckets()) + ")";
        }
        if (k == 0) {
            return "[0, 1]";
        }
        return "(" + power(k - 1) + ", " + power(k) + "]";
    }

    /** 2^n as bpftrace writes powers of two: 512, 1K, 2M, ..., 16E. */
    private static String power(long n) {
        String[] suffix = {"", "K", "M", "G", "T", "P", "E", "Z"};
        return (1L << (n % 10)) + suffix[(int) (n / 10)];
    }

    private static void chart(StringBuilder b, String header, List<Row> rows, HistSpec spec) {
        b.append(header).append('\n');
        int width = 16;
        long max = 0;
        for (Row r : rows) {
            width = Math.max(width, r.label.length() + 1);
            max = Math.max(max, r.sums[0]);
        }
        for (Row r : rows) {
            b.append(r.label).append(" ".repeat(width - r.label.length()));
            String count = Long.toUnsignedString(r.sums[0]);
            b.append(" ".repeat(Math.max(0, 8 - count.length()))).append(count).append(" |");
            int len = max == 0 ? 0 : (int) (r.sums[0] * BAR / max);
            b.append("@".repeat(len)).append(" ".repeat(BAR - len)).append('|');
            for (int i = 0; i < spec.values().size(); i++) {
                b.append(' ').append(spec.values().get(i).name()).append(": ").append(Long.toUnsignedString(r.sums[i + 1]));
            }
            b.append('\n');
        }
        b.append('\n');
    }

    /** A key's value as a label: strings as they are, signed fields signed, the modifiers' forms. */
    private static String label(HistField f, HistTable.Entry e, int offset) {
        if (f.source() == HistField.Source.USTACK) { // as bpftrace prints a ustack key: a frame a line
            StringBuilder b = new StringBuilder("\n");
            e.frames.forEach(frame -> b.append("        ").append(frame).append('\n'));
            return b.toString();
        }
        long v = HistTable.getLong(e.key, offset);
        return switch (f.modifier()) {
            case HEX -> "0x" + Long.toHexString(v);
            case SYM, SYM_OFFSET -> "0x" + Long.toHexString(v);
            case EXECNAME -> e.comm + "[" + (int) v + "]";
            default -> {
                if (f.isString()) {
                    int end = offset;
                    while (end < e.key.length && e.key[end] != 0) {
                        end++;
                    }
                    yield new String(e.key, offset, end - offset, StandardCharsets.ISO_8859_1);
                }
                yield f.signed() ? Long.toString(v) : Long.toUnsignedString(v);
            }
        };
    }
}
