package io.probe4j.trigger;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code hist:} trigger asks for, once parsed ({@code struct hist_trigger_attrs} and the fields of
 * {@code struct hist_trigger_data}): keys, values, sort keys, table size, name and the one-shot commands.
 *
 * @param keys      one to three keys
 * @param values    the values after {@code hitcount} (at most two)
 * @param sort      one or two sort keys; the default is {@code hitcount}, ascending
 * @param mapBits   log2 of the table's size ({@code size=}, rounded up to a power of two; 7 to 17)
 * @param name      {@code name=NAME} as written (the kernel keeps and prints the whole assignment), or null
 * @param clock     the trace clock ({@code clock=}, default {@code global}); shown only with timestamps
 * @param pause     {@code :pause}
 * @param cont      {@code :cont} or {@code :continue}
 * @param clear     {@code :clear}
 */
public record HistSpec(List<HistField> keys, List<HistField> values, List<SortKey> sort, int mapBits, String name,
                       String clock, boolean pause, boolean cont, boolean clear) {

    /**
     * One sort key.
     *
     * @param index      the field: 0 is {@code hitcount}, then the values, then the keys ({@link #fields()})
     * @param descending {@code .descending}
     */
    public record SortKey(int index, boolean descending) {
    }

    public HistSpec {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
        sort = List.copyOf(sort);
    }

    /** {@code hitcount}, the values, the keys: the order sort keys count in. */
    public List<HistField> fields() {
        return fields(values, keys);
    }

    static List<HistField> fields(List<HistField> values, List<HistField> keys) {
        List<HistField> all = new ArrayList<>();
        all.add(HistField.hitcount());
        all.addAll(values);
        all.addAll(keys);
        return all;
    }

    /** The most entries the table holds ({@code size=}). */
    public int maxEntries() {
        return 1 << mapBits;
    }

    /** Whether a field is {@code common_timestamp} ({@code enable_timestamps}: the trigger shows its clock). */
    boolean usesTimestamps() {
        return fields().stream().anyMatch(f -> f.source() == HistField.Source.TIMESTAMP);
    }

    /** Whether timestamps are in µs: one {@code common_timestamp.usecs} makes every timestamp of the trigger µs. */
    boolean timestampsInUsecs() {
        return fields().stream().anyMatch(f -> f.source() == HistField.Source.TIMESTAMP
                && f.modifier() == HistField.Modifier.USECS);
    }

    /** Where each key starts in the compound key. */
    int[] keyOffsets() {
        int[] at = new int[keys.size()];
        int offset = 0;
        for (int i = 0; i < keys.size(); i++) {
            at[i] = offset;
            offset += keys.get(i).keySlot();
        }
        return at;
    }

    /** Bytes of the compound key. */
    int keySize() {
        return keys.stream().mapToInt(HistField::keySlot).sum();
    }

    /**
     * The trigger as the {@code trigger} file and the hist's {@code trigger info} print it
     * ({@code event_hist_trigger_print()}): {@code hist:keys=...:vals=hitcount,...:sort=...:size=N}, the
     * clock when timestamps are used, the condition, and {@code [active]} or {@code [paused]}.
     */
    public String describe(String condition, boolean paused) {
        StringBuilder b = new StringBuilder("hist:");
        if (name != null) {
            b.append(name).append(':');
        }
        b.append("keys=");
        for (int i = 0; i < keys.size(); i++) {
            b.append(i > 0 ? "," : "").append(keys.get(i).printed());
        }
        b.append(":vals=hitcount");
        values.forEach(v -> b.append(',').append(v.printed()));
        b.append(":sort=");
        List<HistField> fields = fields();
        for (int i = 0; i < sort.size(); i++) {
            SortKey k = sort.get(i);
            b.append(i > 0 ? "," : "").append(k.index() == 0 ? "hitcount" : fields.get(k.index()).printed());
            if (k.descending()) {
                b.append(".descending");
            }
        }
        b.append(":size=").append(maxEntries());
        if (usesTimestamps()) {
            b.append(":clock=").append(clock);
        }
        if (condition != null) {
            b.append(" if ").append(condition);
        }
        return b.append(paused ? " [paused]" : " [active]").toString();
    }
}
