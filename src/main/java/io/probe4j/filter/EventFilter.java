package io.probe4j.filter;

import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.Errno;
import java.util.Optional;

/**
 * One event's filter: the text a user would write to the event's {@code filter} file, parsed against the
 * event's fields, and the test it stands for.
 *
 * <pre>{@code
 * EventFields fields = EventFields.of(definition);
 * EventFilter f = EventFilter.parse("len > 1024 && name ~ \"lib*\"", fields).orElseThrow();
 * boolean keep = f.matches(event);
 * }</pre>
 */
public final class EventFilter {
    /** {@code PAGE_SIZE}: the kernel refuses longer writes to a {@code filter} file. */
    private static final int MAX_LENGTH = 4096;

    private final String text;
    private final FilterExpr expression;

    private EventFilter(String text, FilterExpr expression) {
        this.text = text;
        this.expression = expression;
    }

    /** As {@link #parse(String, EventFields, HostKernel)} for this machine's kernel. */
    public static Optional<EventFilter> parse(String filter, EventFields fields) {
        return parse(filter, fields, HostKernel.running());
    }

    /**
     * The filter {@code filter} stands for, as a write of it to the event's {@code filter} file would set it:
     * trailing white space is dropped, and {@code 0} means no filter (empty). A filter the kernel refuses is
     * a {@link FilterException} with the kernel's message, position and errno.
     */
    public static Optional<EventFilter> parse(String filter, EventFields fields, HostKernel host) {
        if (filter.length() >= MAX_LENGTH) {
            throw new FilterException(filter, FilterError.UNSPECIFIED, 0, Errno.EINVAL);
        }
        int end = filter.length();
        while (end > 0 && Ctype.isSpace(filter.charAt(end - 1))) {
            end--;
        }
        String stored = filter.substring(0, end);
        if (stripLeading(stored).equals("0")) {
            return Optional.empty();
        }
        return Optional.of(new EventFilter(stored, FilterParser.parse(stored, fields, host)));
    }

    /**
     * A trigger's condition, the {@code FILTER} of {@code TRIGGER if FILTER}: parsed as the kernel's
     * {@code create_event_filter()} parses it for a trigger, without the {@code filter} file's conventions
     * (no length limit of its own, nothing stripped, {@code 0} is a predicate like any other).
     */
    public static EventFilter parseCondition(String filter, EventFields fields) {
        return new EventFilter(filter, FilterParser.parse(filter, fields, HostKernel.running()));
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && Ctype.isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    /** The filter as the kernel keeps it (and prints it back from the {@code filter} file). */
    public String text() {
        return text;
    }

    /** The parsed filter. */
    public FilterExpr expression() {
        return expression;
    }

    /** Whether the kernel would record {@code event}; {@code common_type} reads as 0. */
    public boolean matches(ProbeEvent event) {
        return matches(event, 0);
    }

    /** Whether the kernel would record {@code event}, whose kernel event id ({@code common_type}) is {@code eventId}. */
    public boolean matches(ProbeEvent event, int eventId) {
        return FilterEvaluator.matches(expression, new EventRecord(event, eventId));
    }

    @Override
    public String toString() {
        return text;
    }
}
