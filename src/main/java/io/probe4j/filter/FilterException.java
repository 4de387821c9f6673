package io.probe4j.filter;

import io.probe4j.error.UserException;
import io.probe4j.spec.Errno;

/**
 * A filter the kernel refuses, with what the kernel reports: the error, the position it points at, and
 * the errno of the {@code write(2)} to the {@code filter} file. The message is the kernel's
 * {@code error_log} entry (without its timestamp):
 * <pre>
 * event filter parse error: error: Field not found
 *   Command: nosuch == 1
 *                   ^
 * </pre>
 */
public final class FilterException extends UserException {
    private static final String COMMAND = "  Command: ";

    private final String filter;
    private final FilterError error;
    private final int position;
    private final Errno errno;

    FilterException(String filter, FilterError error, int position, Errno errno) {
        super(errorLog(filter, error, position), 2);
        this.filter = filter;
        this.error = error;
        this.position = position;
        this.errno = errno;
    }

    /** The filter as the kernel keeps it (trailing white space stripped). */
    public String filter() {
        return filter;
    }

    public FilterError error() {
        return error;
    }

    /** The kernel's {@code lasterr_pos}: where error_log's caret points (0 for {@link FilterError#UNSPECIFIED}). */
    public int position() {
        return position;
    }

    /** What the write to the {@code filter} file fails with. */
    public Errno errno() {
        return errno;
    }

    /**
     * What reading the event's {@code filter} file gives after the failed write ({@code append_filter_err}):
     * the filter, a caret line and {@code parse_error: MESSAGE}; or {@code Error: (0)} when the kernel has
     * no message for the failure.
     */
    public String readBack() {
        if (error == FilterError.UNSPECIFIED) {
            return filter + "\nError: (0)\n\n";
        }
        // The kernel clamps the position to the filter's length and prints "%*s" of it: a caret at
        // column pos (0-based), or at column 0 for position 0.
        int pos = Math.min(position, filter.length());
        int width = pos == 0 ? 0 : pos + 1;
        return filter + "\n" + " ".repeat(Math.max(0, width - 1)) + "^\nparse_error: " + error.message() + "\n\n";
    }

    /** The {@code error_log} entry: message line, command line, caret line (no timestamp, no final newline). */
    public String errorLogEntry() {
        return errorLog(filter, error, position);
    }

    private static String errorLog(String filter, FilterError error, int position) {
        return "event filter parse error: error: " + error.message() + "\n" + COMMAND + filter + "\n"
                + " ".repeat(COMMAND.length() + position) + "^";
    }
}
