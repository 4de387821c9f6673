package io.probe4j.filter;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.spec.ArgType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An event seen the way the kernel's filter (and a hist trigger) sees its record: each field as the bytes stored for it (an
 * integer of the field's size, arrays packed little-endian) or as the string its {@code __data_loc}
 * points at, plus what the generic fields read from the current task.
 *
 * @param event   the event
 * @param eventId its {@code common_type} (the kernel's event id; 0 where there is none)
 */
public record EventRecord(ProbeEvent event, int eventId) {
    /** {@code TASK_COMM_LEN}: the kernel compares COMM as a 16-byte, zero-padded buffer. */
    private static final int TASK_COMM_LEN = 16;

    /** A string as a match function gets it: the bytes and the length the kernel passes. */
    public record Text(byte[] bytes, int len) {
    }

    /** The stored integer of a numeric field (only its low {@code size} bytes mean anything). */
    public long number(EventField f) {
        return switch (f.source()) {
            case COMMON_TYPE -> eventId & 0xffff;
            case COMMON_FLAGS -> TraceFlags.flags(event.flags());
            case COMMON_PREEMPT_COUNT -> TraceFlags.preemptCount(event.flags());
            case COMMON_PID -> event.tid();
            case CPU -> event.cpu();
            case PROBE_IP -> event.site() instanceof ProbeEvent.Site.Entry e ? e.probeAddress() : 0;
            case PROBE_FUNC -> event.site() instanceof ProbeEvent.Site.Return r ? r.functionAddress() : 0;
            case PROBE_RET_IP -> event.site() instanceof ProbeEvent.Site.Return r ? r.returnAddress() : 0;
            case ARG -> raw(arg(f), f.argType());
            case COMM, STACKTRACE -> 0;
        };
    }

    /** The string a string field holds. */
    public Text text(EventField f) {
        if (f.kind() == EventField.Kind.COMM) {
            return new Text(Arrays.copyOf(event.comm().getBytes(StandardCharsets.ISO_8859_1), TASK_COMM_LEN), TASK_COMM_LEN);
        }
        Value v = arg(f);
        if (v instanceof Value.Array a && !a.elements().isEmpty()) {
            v = a.elements().getFirst(); // a string array's field is its first element's __data_loc
        }
        if (v instanceof Value.Text t) {
            return new Text(t.bytes(), t.bytes().length + 1);
        }
        // a string that could not be read is stored with length 0; what its location points at is
        // whatever the buffer held before: probe4j reads it as an empty string
        return new Text(new byte[0], 0);
    }

    int cpu() {
        return event.cpu();
    }

    private Value arg(EventField f) {
        List<ProbeEvent.Arg> args = event.args();
        int i = f.argIndex();
        if (i < args.size() && args.get(i).name().equals(f.name())) {
            return args.get(i).value();
        }
        for (ProbeEvent.Arg a : args) {
            if (a.name().equals(f.name())) {
                return a.value();
            }
        }
        throw new IllegalArgumentException("event " + event.event() + " has no argument " + f.name());
    }

    private static long raw(Value v, ArgType type) {
        return switch (v) {
            case Value.Unsigned u -> u.value();
            case Value.Signed s -> s.value();
            case Value.Hex h -> h.value();
            case Value.Bits b -> b.value();
            case Value.Char c -> c.value() & 0xff;
            case Value.Array a -> packed(a, ((ArgType.Array) type).element());
            case Value.Text t -> 0;
            case Value.Fault f -> 0;
            case Value.KernelSymbol k -> 0;
        };
    }

    /** The array's elements as the record stores them, little-endian; the first 8 bytes. */
    private static long packed(Value.Array a, ArgType element) {
        int size = EventFields.elementSize(element);
        long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
        long out = 0;
        for (int k = 0; k < a.elements().size() && k * size < 8; k++) {
            out |= (raw(a.elements().get(k), element) & mask) << (8 * size * k);
        }
        return out;
    }
}
