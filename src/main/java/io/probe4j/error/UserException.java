package io.probe4j.error;

/**
 * A mistake of the user's (a bad definition, a missing file, an unknown symbol), not a bug of
 * probe4j. The command line prints {@link #getMessage()} as it is, without a stack trace, and exits
 * with {@link #exitCode()}.
 */
public class UserException extends RuntimeException {
    private final int exitCode;

    public UserException(String message) {
        this(message, 2);
    }

    public UserException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = 2;
    }

    public int exitCode() {
        return exitCode;
    }
}
