package io.probe4j.trigger;

import io.probe4j.error.UserException;
import io.probe4j.spec.Errno;
import java.util.Optional;

/**
 * A trigger probe4j will not set, with what the kernel does with the same write to the event's
 * {@code trigger} file: the errno the write fails with and, where the kernel logs one, the {@code error_log}
 * entry (hist triggers log theirs as {@code hist:GROUP:EVENT: error: MESSAGE}, with the command and a caret;
 * the other triggers, and a bad {@code if} condition, only fail). A trigger the kernel would take but
 * probe4j cannot carry out (hist variables and actions, stack traces) has no errno.
 */
public final class TriggerException extends UserException {
    private static final String COMMAND = "  Command: ";

    private final String trigger;
    private final Errno errno;
    private final HistError error;
    private final String location;
    private final String command;
    private final int position;

    private TriggerException(String message, String trigger, Errno errno, HistError error, String location,
                             String command, int position) {
        super(message, 2);
        this.trigger = trigger;
        this.errno = errno;
        this.error = error;
        this.location = location;
        this.command = command;
        this.position = position;
    }

    /** An error the kernel logs: {@code location} is {@code hist:GROUP:EVENT}, {@code command} {@code hist:...}. */
    static TriggerException logged(String trigger, HistError error, String location, String command, int position,
                                   Errno errno) {
        String entry = location + ": error: " + error.message() + "\n" + COMMAND + command + "\n"
                + " ".repeat(COMMAND.length() + position) + "^";
        return new TriggerException(entry, trigger, errno, error, location, command, position);
    }

    /** A refusal the kernel does not explain: the write fails with {@code errno}; {@code why} in probe4j's words. */
    static TriggerException silent(String trigger, String why, Errno errno) {
        return new TriggerException("probe4j: error: " + why + " (" + errno.name() + ", the kernel logs nothing)\n"
                + COMMAND + trigger, trigger, errno, null, null, null, -1);
    }

    /** A trigger the kernel would take and probe4j cannot carry out. */
    static TriggerException unsupported(String trigger, String why) {
        return new TriggerException("probe4j: cannot set this trigger: " + why + "\n" + COMMAND + trigger, trigger,
                null, null, null, null, -1);
    }

    /** The trigger as written. */
    public String trigger() {
        return trigger;
    }

    /** What the write to the {@code trigger} file fails with; empty where the kernel would take the trigger. */
    public Optional<Errno> errno() {
        return Optional.ofNullable(errno);
    }

    /** The {@code error_log} message, where the kernel logs one. */
    public Optional<HistError> error() {
        return Optional.ofNullable(error);
    }

    /**
     * The {@code error_log} entry without its timestamp, where the kernel logs one:
     * <pre>
     * hist:uprobes:getenv: error: Couldn't find field
     *   Command: hist:keys=nosuch
     *                      ^
     * </pre>
     */
    public Optional<String> errorLogEntry() {
        return error == null ? Optional.empty() : Optional.of(getMessage());
    }

    /** {@code hist:GROUP:EVENT}, where the kernel logs the error. */
    public Optional<String> location() {
        return Optional.ofNullable(location);
    }

    /** The command as the entry shows it. */
    public Optional<String> command() {
        return Optional.ofNullable(command);
    }

    /** Where the caret points in {@link #command()}, or -1. */
    public int position() {
        return position;
    }
}
