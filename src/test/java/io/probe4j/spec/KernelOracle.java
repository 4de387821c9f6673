package io.probe4j.spec;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The live kernel as the oracle: writes definitions to {@code uprobe_events} (always appending, so
 * other people's events stay), reads the answer back from the write's errno, {@code error_log} and
 * {@code uprobe_events}. Other processes write concurrently, so the error_log entry of a write is
 * found as a new entry whose Command line is the one written.
 */
final class KernelOracle {
    static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final Path EVENTS = TRACING.resolve("uprobe_events");
    private static final Path ERROR_LOG = TRACING.resolve("error_log");

    /** One error_log entry, without its timestamp. */
    record LogEntry(String message, String command, int caret) {
    }

    /** What one write did: errno (null when it succeeded) and its error_log entry (null when none). */
    record Outcome(Errno errno, LogEntry log) {
    }

    static boolean available() {
        return Files.isWritable(EVENTS) && Files.isReadable(ERROR_LOG);
    }

    static Outcome write(String line, String command) throws IOException {
        Set<String> before = new HashSet<>(entryHeads());
        Errno errno = null;
        try (FileOutputStream out = new FileOutputStream(EVENTS.toFile(), true)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            errno = Errno.fromDescription(e.getMessage());
        }
        LogEntry mine = null;
        List<String> log = Files.readAllLines(ERROR_LOG, StandardCharsets.UTF_8);
        for (int i = 0; i + 2 < log.size(); i++) {
            String head = log.get(i);
            if (!head.startsWith("[") || before.contains(head)) {
                continue;
            }
            int at = head.indexOf("] trace_uprobe: error: ");
            String cmd = log.get(i + 1).replaceFirst("^  Command: ", "");
            if (at >= 0 && cmd.equals(command)) {
                String msg = head.substring(at + "] trace_uprobe: error: ".length());
                int caret = log.get(i + 2).indexOf('^') - "  Command: ".length();
                mine = new LogEntry(msg, cmd, caret);
            }
        }
        return new Outcome(errno, mine);
    }

    private static List<String> entryHeads() throws IOException {
        return Files.readAllLines(ERROR_LOG, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("[")).toList();
    }

    /** The lines of uprobe_events that mention {@code marker}, in the kernel's order. */
    static List<String> listing(String marker) throws IOException {
        return Files.readAllLines(EVENTS, StandardCharsets.UTF_8).stream().filter(l -> l.contains(marker)).toList();
    }

    /** Removes every event whose definition mentions {@code marker}; returns the events removed. */
    static List<String> removeAll(String marker) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String l : listing(marker)) {
            names.add(l.substring(2, l.indexOf(' ')));
        }
        List<String> removed = new ArrayList<>();
        for (String n : names) {
            write("-:" + n, "-:" + n);
            removed.add(n);
        }
        return removed;
    }
}
