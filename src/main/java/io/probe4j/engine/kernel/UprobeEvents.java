package io.probe4j.engine.kernel;

import io.probe4j.UserException;
import java.io.IOException;
import java.util.List;

/**
 * Creating and removing events through {@code uprobe_events}: append only, one definition per write,
 * removal by name ({@code -:GROUP/EVENT}); never a truncating open.
 */
final class UprobeEvents {
    private final Tracefs fs;

    UprobeEvents(Tracefs fs) {
        this.fs = fs;
    }

    /** Creates the event; a refusal becomes a {@link UserException} carrying the kernel's error_log entry. */
    void define(KernelEvent e) {
        String command = e.command();
        try {
            fs.append("uprobe_events", command + "\n");
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
            fs.append("uprobe_events", "-:" + group + "/" + name + "\n");
        } catch (IOException ex) {
            if (!listed().contains(group + "/" + name)) {
                return;
            }
            throw ex;
        }
    }

    /** {@code GROUP/EVENT} of every uprobe event on the machine. */
    List<String> listed() throws IOException {
        return fs.read("uprobe_events").lines().filter(l -> l.length() > 2 && l.charAt(1) == ':')
                .map(l -> l.substring(2, l.indexOf(' ') < 0 ? l.length() : l.indexOf(' '))).toList();
    }
}
