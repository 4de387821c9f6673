package io.probe4j.error;

/**
 * A mistake of the user's (a bad definition, a missing file, an unknown symbol), not a bug of
 * probe4j. The command line prints {@link #getMessage()} as it is, without a stack trace, and exits
 * with {@link #exitCode()}.
 */
public class UserException extends RuntimeException {
    /** The command line's exit status for this mistake. */
    private final int exitCode;

    /**
     * A mistake reported with exit status 2 (the usage error of command-line tools).
     *
     * @param message what is wrong and where, for the user
     */
    public UserException(String message) {
        this(message, 2);
    }

    /**
     * A mistake reported with another exit status.
     *
     * @param message  what is wrong and where, for the user
     * @param exitCode the command line's exit status for it
     */
    public UserException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * A mistake found through another exception (exit status 2).
     *
     * @param message what is wrong and where, for the user
     * @param cause   the exception that revealed it
     */
    public UserException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = 2;
    }

    /** {@return the command line's exit status for this mistake} */
    public int exitCode() {
        return exitCode;
    }
}
