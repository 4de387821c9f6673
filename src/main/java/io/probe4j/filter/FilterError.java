package io.probe4j.filter;

/**
 * The parse errors of the kernel's event filter ({@code err_text[]} of {@code trace_events_filter.c}), with
 * the kernel's words: they are what the event's {@code filter} file and {@code error_log} show.
 */
public enum FilterError {
    INVALID_OP("Invalid operator"),
    TOO_MANY_OPEN("Too many '('"),
    TOO_MANY_CLOSE("Too few '('"),
    MISSING_QUOTE("Missing matching quote"),
    MISSING_BRACE_OPEN("Missing '{'"),
    MISSING_BRACE_CLOSE("Missing '}'"),
    OPERAND_TOO_LONG("Operand too long"),
    EXPECT_STRING("Expecting string field"),
    EXPECT_DIGIT("Expecting numeric field"),
    ILLEGAL_FIELD_OP("Illegal operation for field type"),
    FIELD_NOT_FOUND("Field not found"),
    ILLEGAL_INTVAL("Illegal integer value"),
    TOO_MANY_PREDS("Too many terms in predicate expression"),
    INVALID_CPULIST("Invalid cpulist"),
    INVALID_VALUE("Invalid value (did you forget quotes)?"),
    NO_FUNCTION("Function not found"),
    NO_FILTER("No filter found"),
    /**
     * A failure the kernel gives no parse error for (its {@code lasterr} stays 0): the filter file says
     * {@code Error: (0)} and error_log says {@code Error} at position 0.
     */
    UNSPECIFIED("Error");

    private final String message;

    FilterError(String message) {
        this.message = message;
    }

    /** The kernel's text. */
    public String message() {
        return message;
    }
}
