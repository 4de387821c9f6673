package io.probe4j.engine.kernel;

import io.probe4j.UserException;
import java.io.IOException;
import java.util.List;

/**
 * Creating and removing events through {@code uprobe_events} or {@code kprobe_events}: append only, one
 * definition per write, removal by name ({@code -:GROUP/EVENT}); never a truncating open (that would
 * delete every user's events).
 */
final class EventsFile {
    static final String UPROBE_EVENTS = "uprobe_events";
    static final String KPROBE_EVENTS = "kprobe_events";

    private final Tracefs fs;
    private final String file;

    private EventsFile(Tracefs fs, String file) {
        this.fs = fs;
        this.file = file;
    }

    static EventsFile uprobes(Tracefs fs) {
        return new EventsFile(fs, UPROBE_EVENTS);
    }

    static EventsFile kprobes(Tracefs fs) {
        return new EventsFile(fs, KPROBE_EVENTS);
    }

    /** Whether this kernel has the file (kprobe_events is missing without CONFIG_KPROBE_EVENTS). */
    boolean exists() {
        return java.nio.file.Files.exists(fs.path(file));
    }

    /** Creates the event; a refusal becomes a {@link UserException} carrying the kernel's error_log entry. */
    void define(KernelEvent e) {
        String command = e.command();
        try {
            fs.append(file, command + "\n");
        } catch (IOException ex) {
            String entry = null;
            try {
                entry = ErrorLog.entryFor(fs.read("error_log"), command);
            } catch (IOException ignored) {
                // the message below still names the definition and the errno
            }
            throw new UserException("probe4j: the kernel refused " + e.describe() + ": " + ex.getMessage()
                    + (entry == null ? "" : "\n" + entry), 1);
        }
    }

    /** Removes the event; an event already gone is fine. */
    void remove(String group, String name) throws IOException {
        try {
            fs.append(file, "-:" + group + "/" + name + "\n");
        } catch (IOException ex) {
            if (!listed().contains(group + "/" + name)) {
                return;
            }
            throw ex;
        }
    }

    /** {@code GROUP/EVENT} of every event the file lists, in the kernel's order. */
    List<String> listed() throws IOException {
        return fs.read(file).lines().map(EventsFile::groupAndName).filter(n -> !n.isEmpty()).toList();
    }

    /** {@code GROUP/EVENT} of a listing line ({@code p:G/E ...}, {@code r10:G/E ...}); empty if none. */
    static String groupAndName(String line) {
        int colon = line.indexOf(':');
        int space = line.indexOf(' ');
        if (colon < 1 || (space >= 0 && space < colon)) {
            return "";
        }
        return line.substring(colon + 1, space < 0 ? line.length() : space);
    }
}
