package io.probe4j.trigger;

/**
 * The errors a hist trigger logs in {@code error_log} ({@code err_text[]} of {@code trace_events_hist.c}),
 * with the kernel's words. Only those a trigger of probe4j's subset can meet.
 */
public enum HistError {
    NAMED_MISMATCH("Named hist trigger doesn't match existing named trigger (includes variables)"),
    TRIGGER_EEXIST("Hist trigger already exists"),
    TRIGGER_ENOENT_CLEAR("Can't clear or continue a nonexistent hist trigger"),
    SET_CLOCK_FAIL("Couldn't set trace_clock"),
    BAD_FIELD_MODIFIER("Invalid field modifier"),
    TOO_MANY_VARS("Too many variables defined"),
    MALFORMED_ASSIGNMENT("Malformed assignment"),
    FIELD_NOT_FOUND("Couldn't find field"),
    EMPTY_ASSIGNMENT("Empty assignment"),
    INVALID_SORT_MODIFIER("Invalid sort modifier"),
    EMPTY_SORT_FIELD("Empty sort field"),
    TOO_MANY_SORT_FIELDS("Too many sort fields (Max = 2)"),
    INVALID_SORT_FIELD("Sort field must be a key or a val"),
    EXPECT_NUMBER("Expecting numeric literal");

    private final String message;

    HistError(String message) {
        this.message = message;
    }

    /** The kernel's text. */
    public String message() {
        return message;
    }
}
