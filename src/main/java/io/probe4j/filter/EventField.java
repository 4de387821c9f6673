package io.probe4j.filter;

import io.probe4j.spec.ArgType;

/**
 * One field a filter can name, as the kernel describes it in the event's {@code format} file and keeps
 * it in {@code struct ftrace_event_field}: its kind ({@code filter_type}), size in the record, signedness,
 * and where probe4j finds its value in an event.
 *
 * @param name     the field name ({@code common_pid}, {@code __probe_ip}, an argument's name, {@code CPU}, ...)
 * @param kind     how the kernel filters it
 * @param size     bytes in the event record (0 for the generic fields {@code CPU}, {@code COMM}, ...)
 * @param signed   whether ordering comparisons are signed
 * @param source   where the value comes from
 * @param argIndex the fetch argument's index for {@link Source#ARG}, else -1
 * @param argType  the fetch argument's type for {@link Source#ARG}, else null
 */
public record EventField(String name, Kind kind, int size, boolean signed, Source source, int argIndex, ArgType argType) {

    /** The kernel's {@code filter_type}s that probe events have. */
    public enum Kind {
        /** {@code FILTER_OTHER}: an integer of {@code size} bytes (scalars, bitfields, arrays of numbers). */
        NUMBER,
        /** {@code FILTER_DYN_STRING}: a {@code __data_loc char[]} ({@code string}, {@code ustring}, string arrays). */
        STRING,
        /** {@code FILTER_COMM}: the current task's name. */
        COMM,
        /** {@code FILTER_CPU}: the CPU the event is recorded on. */
        CPU,
        /** {@code FILTER_STACKTRACE}: a name for hist triggers; as a filter it compares as nothing. */
        STACKTRACE
    }

    /** Where a field's value is. */
    public enum Source {
        COMMON_TYPE, COMMON_FLAGS, COMMON_PREEMPT_COUNT, COMMON_PID, CPU, COMM, STACKTRACE,
        PROBE_IP, PROBE_FUNC, PROBE_RET_IP, ARG
    }

    /** {@code is_string_field()}: the kinds a quoted string is compared with. */
    public boolean isString() {
        return kind == Kind.STRING || kind == Kind.COMM;
    }
}
