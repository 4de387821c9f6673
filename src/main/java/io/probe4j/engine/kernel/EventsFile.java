package io.probe4j.engine.kernel;

import io.probe4j.error.UserException;
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

    /**
     * Creates the events with as few writes as the kernel allows: it runs each line of a write in turn
     * ({@code trace_parse_run_command}) and stops at the first it refuses. {@code created} is told every
     * event a write may have created before the refusal is thrown (a {@link UserException} with the
     * kernel's error_log entry for the refused line).
     */
    void defineAll(List<KernelEvent> events, java.util.function.Consumer<KernelEvent> created) {
        int from = 0;
        while (from < events.size()) {
            StringBuilder text = new StringBuilder();
            int to = from;
            while (to < events.size() && (to == from || text.length() < BATCH_BYTES)) {
                text.append(events.get(to++).command()).append('\n');
            }
            List<KernelEvent> batch = events.subList(from, to);
            try {
                fs.append(file, text.toString());
                batch.forEach(created);
            } catch (IOException ex) {
                batch.forEach(created); // those before the refused line exist
                throw refusal(batch, ex);
            }
            from = to;
        }
    }

    /** Bytes of definitions per write: the kernel reads a write in 4 KiB pieces anyway, so any size works. */
    private static final int BATCH_BYTES = 64 * 1024;

    private UserException refusal(List<KernelEvent> batch, IOException ex) {
        String log = null;
        try {
            log = fs.read("error_log");
        } catch (IOException ignored) {
            // the message below still names the definitions and the errno
        }
        for (KernelEvent e : batch.reversed()) {
            String entry = log == null ? null : ErrorLog.entryFor(log, e.command());
            if (entry != null) {
                return new UserException("probe4j: the kernel refused " + e.describe() + ": " + ex.getMessage() + "\n"
                        + entry, 1);
            }
        }
        return new UserException("probe4j: the kernel refused " + (batch.size() == 1 ? batch.getFirst().describe()
                : "one of " + batch.size() + " definitions (" + batch.getFirst().describe() + " ...)") + ": "
                + ex.getMessage(), 1);
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
