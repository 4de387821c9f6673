package io.probe4j.spec;

import io.probe4j.error.UserException;
import java.util.Optional;

/**
 * A definition the kernel would refuse. Carries what the kernel reports: the {@code error_log}
 * message (absent when the kernel refuses silently, as it does for lines it does not recognise as a
 * uprobe at all), the command re-joined with single spaces, the caret position in it, and the errno
 * the write fails with.
 */
public final class SpecException extends UserException {
    /** The prefix of uprobe errors in {@code error_log}. */
    public static final String UPROBE = "trace_uprobe";
    /** The prefix of kprobe errors in {@code error_log}. */
    public static final String KPROBE = "trace_kprobe";

    private final String subsystem;
    private final KernelError error;
    private final String detail;
    private final String command;
    private final int caret;
    private final Errno errno;

    /** An error the kernel logs in {@code error_log}. */
    public SpecException(KernelError error, String command, int caret, Errno errno) {
        this(UPROBE, error, error.message(), command, caret, errno);
    }

    /** An error the kernel logs in {@code error_log} under {@code subsystem} ({@link #UPROBE} or {@link #KPROBE}). */
    public SpecException(String subsystem, KernelError error, String command, int caret, Errno errno) {
        this(subsystem, error, error.message(), command, caret, errno);
    }

    /** A refusal without an {@code error_log} entry; {@code detail} says in probe4j's words what is wrong. */
    public static SpecException silent(String detail, String command, Errno errno) {
        return new SpecException(UPROBE, null, detail, command, -1, errno);
    }

    private SpecException(String subsystem, KernelError error, String detail, String command, int caret, Errno errno) {
        super(render(subsystem, error, detail, command, caret, errno), 2);
        this.subsystem = subsystem;
        this.error = error;
        this.detail = detail;
        this.command = command;
        this.caret = caret;
        this.errno = errno;
    }

    /** {@code trace_uprobe} or {@code trace_kprobe}: who logs the error. */
    public String subsystem() {
        return subsystem;
    }

    /** The kernel's message, or empty when the kernel writes nothing to {@code error_log}. */
    public Optional<KernelError> error() {
        return Optional.ofNullable(error);
    }

    /** The command as {@code error_log} shows it: the words of the line joined by single spaces. */
    public String command() {
        return command;
    }

    /** Caret position in {@link #command()} (bytes, like the kernel), or -1 without an error_log entry. */
    public int caret() {
        return caret;
    }

    public Errno errno() {
        return errno;
    }

    /**
     * The error in the kernel's {@code error_log} layout without the {@code [seconds.micros]}
     * timestamp:
     * <pre>
     * trace_uprobe: error: Invalid register name
     *   Command: p:ceo_c /tmp/up/test:0x10a %rax
     *                                       ^
     * </pre>
     * A silent refusal prints {@code probe4j: error: DETAIL (EINVAL, no error_log entry)} and the
     * command line.
     */
    public String format() {
        return render(subsystem, error, detail, command, caret, errno);
    }

    private static String render(String subsystem, KernelError error, String detail, String command, int caret,
                                 Errno errno) {
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append(subsystem).append(": error: ").append(error.message()).append('\n');
        } else {
            b.append("probe4j: error: ").append(detail).append(" (").append(errno.name())
                    .append(", the kernel logs nothing)\n");
        }
        b.append("  Command: ").append(command).append('\n');
        if (caret >= 0) {
            b.append(" ".repeat("  Command: ".length() + caret)).append("^\n");
        }
        return b.toString();
    }
}
