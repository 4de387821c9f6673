package io.probe4j.spec;

/** The errno a failed write to {@code uprobe_events}, {@code kprobe_events} or an event's {@code filter} returns. */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    ENOMEM(12, "Cannot allocate memory"),
    E2BIG(7, "Argument list too long"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENOTDIR(20, "Not a directory"),
    EINVAL(22, "Invalid argument"),
    ERANGE(34, "Numerical result out of range"),
    ENAMETOOLONG(36, "File name too long"),
    ELOOP(40, "Too many levels of symbolic links"),
    EILSEQ(84, "Invalid or incomplete multibyte or wide character"),
    EOPNOTSUPP(95, "Operation not supported"),
    EADDRNOTAVAIL(99, "Cannot assign requested address");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    public int number() {
        return number;
    }

    /** {@code strerror()} text, as a shell's {@code echo} would report it. */
    public String description() {
        return description;
    }

    /** The errno whose {@code strerror()} text is {@code text} (how Java reports a failed write). */
    public static Errno fromDescription(String text) {
        for (Errno e : values()) {
            if (e.description.equals(text)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown errno text: " + text);
    }
}
