package io.probe4j.trigger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A hist trigger's table as the kernel's {@code hist} file prints it ({@code hist_trigger_show()}): the header
 * with the trigger, one {@code { key: value }} line per entry with the kernel's widths, sorted exactly as
 * {@code tracing_map_sort_entries()} sorts (first by the key bytes, then the kernel's heapsort on the sort
 * key, then runs of equal entries on the second sort key), and the totals.
 */
final class HistText {
    private HistText() {
    }

    /** One trigger's part of the {@code hist} file. */
    static String block(HistTable table, String condition, boolean paused) {
        HistSpec spec = table.spec();
        List<HistTable.Entry> entries = sorted(table);
        StringBuilder b = new StringBuilder("# event histogram\n#\n# trigger info: ");
        b.append(spec.describe(condition, paused)).append("\n#\n\n");
        Stats stats = Stats.of(spec, entries);
        for (HistTable.Entry e : entries) {
            line(b, spec, table.offsets(), e, stats);
        }
        b.append("\nTotals:\n    Hits: ").append(Long.toUnsignedString(table.hits()))
                .append("\n    Entries: ").append(entries.size())
                .append("\n    Dropped: ").append(Long.toUnsignedString(table.drops())).append('\n');
        return b.toString();
    }

    /** The entries in the order the kernel prints them. */
    static List<HistTable.Entry> sorted(HistTable table) {
        HistSpec spec = table.spec();
        List<HistTable.Entry> entries = table.entries();
        int n = entries.size();
        if (n < 2) {
            return entries;
        }
        // detect_dups(): every key is unique, so this is a plain sort by the key bytes
        entries.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
        Comparator<HistTable.Entry> primary = comparator(spec, table.offsets(), spec.sort().getFirst());
        KernelSort.sort(entries, 0, n, primary);
        if (spec.sort().size() > 1) {
            sortSecondary(entries, primary, comparator(spec, table.offsets(), spec.sort().get(1)));
        }
        return entries;
    }

    /** {@code sort_secondary()}: each run of entries equal on the first key, sorted on the second. */
    private static void sortSecondary(List<HistTable.Entry> entries, Comparator<HistTable.Entry> primary,
                                      Comparator<HistTable.Entry> secondary) {
        int n = entries.size();
        int start = 0;
        int sub = 1;
        for (int i = 0; i < n - 1; i++) {
            if (primary.compare(entries.get(i), entries.get(i + 1)) == 0) {
                sub++;
                if (i < n - 2) {
                    continue;
                }
            }
            if (sub < 2) {
                start = i + 1;
                sub = 1;
                continue;
            }
            KernelSort.sort(entries, start, sub, secondary);
            start = i + 1;
            sub = 1;
        }
    }

    /** {@code cmp_entries_sum()} or {@code cmp_entries_key()} with the key field's compare function. */
    private static Comparator<HistTable.Entry> comparator(HistSpec spec, int[] offsets, HistSpec.SortKey key) {
        int values = 1 + spec.values().size();
        Comparator<HistTable.Entry> c;
        if (key.index() < values) {
            int i = key.index();
            c = (a, b) -> Long.signum(Long.compareUnsigned(a.sums[i], b.sums[i]));
        } else {
            int k = key.index() - values;
            HistField f = spec.keys().get(k);
            int at = offsets[k];
            if (f.isString()) {
                c = (a, b) -> Integer.signum(cString(a.key, at).compareTo(cString(b.key, at)));
            } else {
                boolean byField = f.source() == HistField.Source.FIELD;
                int size = byField ? f.field().size() : 8;
                boolean signed = byField && f.field().signed();
                c = (a, b) -> compareNumbers(HistTable.getLong(a.key, at), HistTable.getLong(b.key, at), size, signed);
            }
        }
        return key.descending() ? c.reversed() : c;
    }

    /** {@code tracing_map_cmp_<type>()}: the 64-bit key cast to the field's type, then compared. */
    private static int compareNumbers(long a, long b, int size, boolean signed) {
        long x = cut(a, size, signed);
        long y = cut(b, size, signed);
        return signed ? Long.compare(x, y) : Long.signum(Long.compareUnsigned(x, y));
    }

    private static long cut(long v, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? (byte) v : v & 0xff;
            case 2 -> signed ? (short) v : v & 0xffff;
            case 4 -> signed ? (int) v : v & 0xffffffffL;
            default -> v;
        };
    }

    /** The NUL-terminated string at {@code offset}, one char per byte (so that compareTo is strcmp). */
    private static String cString(byte[] key, int offset) {
        int end = offset;
        while (end < key.length && key[end] != 0) {
            end++;
        }
        return new String(key, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    /** The totals and maxima {@code .percent} and {@code .graph} values are drawn against. */
    private record Stats(long[] total, long[] max) {
        static Stats of(HistSpec spec, List<HistTable.Entry> entries) {
            int n = 1 + spec.values().size();
            long[] total = new long[n];
            long[] max = new long[n];
            for (HistTable.Entry e : entries) {
                for (int i = 0; i < n; i++) {
                    total[i] += e.sums[i];
                    if (Long.compareUnsigned(max[i], e.sums[i]) < 0) {
                        max[i] = e.sums[i];
                    }
                }
            }
            return new Stats(total, max);
        }
    }

    /** {@code hist_trigger_entry_print()}. */
    private static void line(StringBuilder b, HistSpec spec, int[] offsets, HistTable.Entry e, Stats stats) {
        b.append("{ ");
        List<HistField> keys = spec.keys();
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            key(b, keys.get(i), e, offsets[i]);
        }
        // after a stack's lines the brace starts a line of its own
        b.append(keys.stream().anyMatch(k -> k.source() == HistField.Source.USTACK) ? "}" : " }");
        value(b, "hitcount", HistField.Modifier.NONE, e.sums[0], 0, stats);
        List<HistField> values = spec.values();
        for (int i = 0; i < values.size(); i++) {
            b.append(' ');
            value(b, values.get(i).name(), values.get(i).modifier(), e.sums[i + 1], i + 1, stats);
        }
        b.append('\n');
    }

    /** {@code hist_trigger_print_key()} of one key. */
    private static void key(StringBuilder b, HistField f, HistTable.Entry e, int offset) {
        if (f.source() == HistField.Source.USTACK) {
            // hist_trigger_stacktrace_print(): "NAME:" and a line per frame, indented 9
            b.append(f.name()).append(":\n");
            e.frames.forEach(frame -> b.append(" ".repeat(9)).append(frame).append('\n'));
            return;
        }
        long v = HistTable.getLong(e.key, offset);
        String u = Long.toUnsignedString(v);
        b.append(f.name()).append(": ");
        switch (f.modifier()) {
            case HEX -> b.append(Long.toHexString(v));
            case SYM -> b.append('[').append(Long.toHexString(v)).append("] ").append(leftAligned(symbol(v), 45));
            case SYM_OFFSET -> b.append('[').append(Long.toHexString(v)).append("] ").append(leftAligned(symbol(v), 55));
            case EXECNAME -> b.append(leftAligned(e.comm, 16)).append('[').append(rightAligned(u, 10)).append(']');
            case LOG2 -> b.append("~ 2^").append(leftAligned(u, 2));
            case BUCKETS -> b.append("~ ").append(u).append('-').append(Long.toUnsignedString(v + f.buckets() - 1));
            default -> {
                if (f.isString()) {
                    b.append(leftAligned(cString(e.key, offset), 50));
                } else {
                    b.append(rightAligned(u, 10));
                }
            }
        }
    }

    /**
     * {@code %ps} and {@code %pS} of an address: the kernel prints a kernel symbol, and for anything no
     * kernel symbol covers (every user-space address) {@code 0x} and the hex address.
     */
    private static String symbol(long address) {
        return "0x" + Long.toHexString(address);
    }

    /** {@code hist_trigger_print_val()}. */
    private static void value(StringBuilder b, String name, HistField.Modifier m, long v, int index, Stats stats) {
        switch (m) {
            case PERCENT -> {
                long pc = percentage(v, stats.total[index]);
                if (pc == -1) {
                    b.append(' ').append(name).append(" (%):[ERROR]");
                } else {
                    b.append(' ').append(name).append(" (%): ").append(rightAligned(Long.toString(pc / 100), 3)).append('.')
                            .append(String.format("%02d", pc % 100));
                }
            }
            case GRAPH -> b.append(' ').append(name).append(": ").append(bar(v, stats.max[index]));
            case HEX -> b.append(' ').append(name).append(": ").append(rightAligned(Long.toHexString(v), 10));
            default -> b.append(' ').append(name).append(": ").append(rightAligned(Long.toUnsignedString(v), 10));
        }
    }

    /** {@code __get_percentage()}: 100 times the percentage, -1 for the kernel's UINT_MAX (a share of nothing). */
    private static long percentage(long v, long total) {
        if (total == 0) {
            return v != 0 ? -1 : 0;
        }
        if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10000)) < 0) {
            return Long.divideUnsigned(v * 10000, total) & 0xffffffffL;
        }
        long t = Long.divideUnsigned(total, 10000);
        if (t == 0) {
            return v != 0 ? -1 : 0;
        }
        return Long.divideUnsigned(v, t) & 0xffffffffL;
    }

    /** {@code __fill_bar_str()}: 20 columns, {@code #} for the share of the largest value. */
    private static String bar(long v, long max) {
        long pc = percentage(v, max);
        if (pc == -1) {
            return rightAligned("[ERROR]", 20);
        }
        int len = (int) (pc * 20 / 10000);
        StringBuilder s = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            s.append(i < len ? '#' : ' ');
        }
        return s.toString();
    }

    /** {@code %-Ns}: padded on the right. */
    private static String leftAligned(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** {@code %Ns}: padded on the left. */
    private static String rightAligned(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
