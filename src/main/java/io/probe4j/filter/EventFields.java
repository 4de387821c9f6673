package io.probe4j.filter;

import io.probe4j.spec.ArgType;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.ProbeDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fields of one probe event, in the order the kernel looks a name up ({@code trace_find_event_field}):
 * the event's own fields ({@code __probe_ip} or {@code __probe_func} and {@code __probe_ret_ip}, then the
 * fetch arguments), then the generic fields ({@code CPU}, {@code COMM}, ...), then the common fields every
 * event record starts with. Types follow the event's {@code format} file: {@code x32} is a {@code u32},
 * {@code char} a {@code u8}, a bitfield its container, {@code TYPE[N]} one field of N elements, a string a
 * {@code __data_loc char[]}.
 */
public final class EventFields {
    private static final List<EventField> GENERIC = List.of(
            generic("CPU", EventField.Kind.CPU, true, EventField.Source.CPU),
            generic("cpu", EventField.Kind.CPU, true, EventField.Source.CPU),
            generic("common_cpu", EventField.Kind.CPU, true, EventField.Source.CPU),
            generic("COMM", EventField.Kind.COMM, false, EventField.Source.COMM),
            generic("comm", EventField.Kind.COMM, false, EventField.Source.COMM),
            generic("stacktrace", EventField.Kind.STACKTRACE, false, EventField.Source.STACKTRACE),
            generic("STACKTRACE", EventField.Kind.STACKTRACE, false, EventField.Source.STACKTRACE));

    private static final List<EventField> COMMON = List.of(
            number("common_type", 2, false, EventField.Source.COMMON_TYPE),
            number("common_flags", 1, false, EventField.Source.COMMON_FLAGS),
            number("common_preempt_count", 1, false, EventField.Source.COMMON_PREEMPT_COUNT),
            number("common_pid", 4, true, EventField.Source.COMMON_PID));

    private final List<EventField> own;

    private EventFields(List<EventField> own) {
        this.own = List.copyOf(own);
    }

    /** The fields of a {@code uprobe_events} definition's event. */
    public static EventFields of(ProbeDefinition d) {
        return of(d.isReturn(), d.args());
    }

    /** The fields of a {@code kprobe_events} definition's event (the same names as a uprobe's). */
    public static EventFields of(KprobeDefinition d) {
        return of(d.isReturn(), d.args());
    }

    private static EventFields of(boolean isReturn, List<FetchArg> args) {
        List<EventField> own = new ArrayList<>();
        if (isReturn) {
            own.add(number("__probe_func", 8, false, EventField.Source.PROBE_FUNC));
            own.add(number("__probe_ret_ip", 8, false, EventField.Source.PROBE_RET_IP));
        } else {
            own.add(number("__probe_ip", 8, false, EventField.Source.PROBE_IP));
        }
        for (int i = 0; i < args.size(); i++) {
            own.add(argField(args.get(i), i));
        }
        return new EventFields(own);
    }

    /** The field the kernel finds for {@code name}. */
    public Optional<EventField> find(String name) {
        for (List<EventField> list : List.of(own, GENERIC, COMMON)) {
            for (EventField f : list) {
                if (f.name().equals(name)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    /** The event's own fields (probe addresses and arguments), in record order. */
    public List<EventField> own() {
        return own;
    }

    private static EventField argField(FetchArg a, int index) {
        ArgType t = a.type();
        if (t instanceof ArgType.StringType || t instanceof ArgType.SymbolString
                || (t instanceof ArgType.Array arr && arr.element() instanceof ArgType.StringType)) {
            int n = t instanceof ArgType.Array arr ? arr.count() : 1;
            return new EventField(a.name(), EventField.Kind.STRING, 4 * n, true, EventField.Source.ARG, index, t);
        }
        int count = t instanceof ArgType.Array arr ? arr.count() : 1;
        ArgType element = t instanceof ArgType.Array arr ? arr.element() : t;
        boolean signed = element instanceof ArgType.Scalar s && s.radix() == ArgType.Radix.SIGNED;
        return new EventField(a.name(), EventField.Kind.NUMBER, count * elementSize(element), signed,
                EventField.Source.ARG, index, t);
    }

    /** Bytes one value of a non-string type takes in the record. */
    static int elementSize(ArgType t) {
        return switch (t) {
            case ArgType.Scalar s -> s.bits() / 8;
            case ArgType.Bitfield b -> b.containerBits() / 8;
            case ArgType.CharType c -> 1;
            case ArgType.Symbol s -> 8;
            default -> throw new IllegalArgumentException("no fixed-size value: " + t);
        };
    }

    private static EventField number(String name, int size, boolean signed, EventField.Source source) {
        return new EventField(name, EventField.Kind.NUMBER, size, signed, source, -1, null);
    }

    private static EventField generic(String name, EventField.Kind kind, boolean signed, EventField.Source source) {
        return new EventField(name, kind, 0, signed, source, -1, null);
    }
}
