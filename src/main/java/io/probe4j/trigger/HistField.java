package io.probe4j.trigger;

import io.probe4j.filter.EventField;
import io.probe4j.filter.EventRecord;

/**
 * One key or value of a hist trigger ({@code struct hist_field}): where its number comes from, the modifier
 * after its dot, and the size and signedness its value is read with.
 *
 * @param source   where the value comes from
 * @param field    the event field ({@link Source#FIELD}, and {@link Source#CPU} when named {@code cpu} or
 *                 {@code CPU}); null otherwise
 * @param modifier the {@code .hex}, {@code .log2}, ... after the name
 * @param buckets  the N of {@code .buckets=N}, else 0
 * @param constant the number of a {@link Source#CONST}
 */
public record HistField(Source source, EventField field, Modifier modifier, long buckets, long constant) {
    /** {@code MAX_FILTER_STR_VAL}: the bytes a string key takes. */
    static final int MAX_STRING = 256;
    /** {@code HIST_STACKTRACE_DEPTH}: the frames of a stack key, as the kernel's {@code common_stacktrace} keeps. */
    public static final int STACK_DEPTH = 16;
    /** The name of probe4j's user stack key. */
    public static final String USTACK = "ustack";

    /** What a hist field reads. */
    public enum Source {
        /** The count of hits ({@code hitcount}, always the first value). */
        HITCOUNT,
        /** A field of the event record. */
        FIELD,
        /** The CPU of the hit ({@code common_cpu}, {@code cpu}, {@code CPU}). */
        CPU,
        /** The time of the hit ({@code common_timestamp}), in ns or, with {@code .usecs}, in µs. */
        TIMESTAMP,
        /** A number written in the trigger. */
        CONST,
        /**
         * probe4j's user stack at the hit ({@code ustack}; the trap engine's {@code --ustack} unwind): the
         * addresses of its first {@value #STACK_DEPTH} frames, as the kernel's {@code common_stacktrace} key
         * holds the kernel stack's.
         */
        USTACK
    }

    /** The modifiers of {@code trace_events_hist.c}'s {@code parse_field()}, with the text it prints. */
    public enum Modifier {
        NONE(null), HEX("hex"), SYM("sym"), SYM_OFFSET("sym-offset"), EXECNAME("execname"), LOG2("log2"),
        BUCKETS("buckets"), USECS("usecs"), PERCENT("percent"), GRAPH("graph");

        private final String text;

        Modifier(String text) {
            this.text = text;
        }

        /** The word after the dot, as the trigger file prints it (null for none). */
        public String text() {
            return text;
        }
    }

    static HistField hitcount() {
        return new HistField(Source.HITCOUNT, null, Modifier.NONE, 0, 0);
    }

    /** Whether the value is a string ({@code HIST_FIELD_FL_STRING}). */
    public boolean isString() {
        return source == Source.FIELD && field.kind() == EventField.Kind.STRING;
    }

    /** {@code hist_field_name()}: the name a hist line and {@code sort=} use. */
    public String name() {
        return switch (source) {
            case FIELD -> field.name();
            case CPU -> field != null ? field.name() : "common_cpu";
            case TIMESTAMP -> "common_timestamp";
            case HITCOUNT -> "hitcount";
            case CONST -> "";
            case USTACK -> USTACK;
        };
    }

    /** {@code hist_field_print()}: the field as the trigger file shows it ({@code common_pid.execname}). */
    public String printed() {
        StringBuilder b = new StringBuilder();
        switch (source) {
            case CPU -> b.append("common_cpu");
            case CONST -> b.append(Long.toUnsignedString(constant));
            default -> b.append(name());
        }
        if (modifier.text() != null) {
            b.append('.').append(modifier.text());
        }
        if (buckets != 0) {
            b.append('=').append(buckets);
        }
        return b.toString();
    }

    /** Bytes of the value as the kernel reads it: a string's buffer, or 1, 2, 4 or 8. */
    int size() {
        return switch (source) {
            case FIELD -> isString() ? MAX_STRING : field.size();
            case CPU -> 4;
            case USTACK -> STACK_DEPTH * 8;
            default -> 8;
        };
    }

    /** Whether the value is read signed (then sign-extended to 64 bits). */
    boolean signed() {
        return source == Source.FIELD && field.signed();
    }

    /** Bytes the field takes in a compound key: its size rounded up to 8. */
    int keySlot() {
        return (size() + 7) & ~7;
    }

    /**
     * The 64-bit number the kernel computes for this field at a hit ({@code hist_fn_call()}): the field read
     * at its size (sign-extended when signed), then {@code .log2} or {@code .buckets=N}. Not for strings.
     */
    long value(EventRecord r, long timestamp) {
        long v = switch (source) {
            case HITCOUNT -> 1;
            case CONST -> constant;
            case CPU -> r.event().cpu() & 0xffffffffL;
            case TIMESTAMP -> timestamp;
            case FIELD -> sized(r.number(field), field.size(), field.signed());
            case USTACK -> throw new IllegalStateException("a stack is a key of " + STACK_DEPTH + " addresses, not a number");
        };
        return switch (modifier) {
            case LOG2 -> orderBase2(v);
            case BUCKETS -> Long.divideUnsigned(v, buckets) * buckets;
            default -> v;
        };
    }

    private static long sized(long raw, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? (byte) raw : raw & 0xff;
            case 2 -> signed ? (short) raw : raw & 0xffff;
            case 4 -> signed ? (int) raw : raw & 0xffffffffL;
            default -> raw;
        };
    }

    /** {@code order_base_2()}: the log2 of {@code v} rounded up, 0 for 0 and 1. */
    static long orderBase2(long v) {
        return Long.compareUnsigned(v, 1) <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(v - 1);
    }
}
