package io.probe4j.filter;

import io.probe4j.spec.Errno;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The live kernel as the oracle of filter parsing: uprobe events of the test's own group, a tracefs
 * instance of its own, and for each filter written to an event's {@code filter} file in that instance
 * what the kernel answers: the write's errno, what the file reads back, the instance's error_log entry.
 * Everything is removed on {@link #close()}.
 */
final class FilterOracle implements AutoCloseable {
    static final Path TRACING = Path.of("/sys/kernel/tracing");

    private final String group;
    private final Path instance;
    private final List<String> events = new ArrayList<>();

    /** What the kernel did with one filter: errno (null when accepted), the read-back, the error_log entry (null when none). */
    record Outcome(Errno errno, String readBack, String errorLog) {
    }

    static boolean available() {
        return Files.isWritable(TRACING.resolve("uprobe_events"));
    }

    FilterOracle(String group, List<String> definitions) throws IOException {
        this.group = group;
        this.instance = TRACING.resolve("instances/" + group);
        try {
            for (String d : definitions) {
                append(TRACING.resolve("uprobe_events"), d);
                events.add(d.substring(d.indexOf('/') + 1, d.indexOf(' ')));
            }
            Files.createDirectory(instance);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    Outcome write(String event, String filter) throws IOException {
        Path file = instance.resolve("events/" + group + "/" + event + "/filter");
        Path log = instance.resolve("error_log");
        Files.write(log, new byte[0]); // opening error_log with O_TRUNC clears it
        Errno errno = null;
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            out.write(filter.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            errno = Errno.fromDescription(e.getMessage());
        }
        String readBack = readOnce(file);
        List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).lines().toList();
        String entry = null;
        if (lines.size() >= 3) {
            int n = lines.size();
            entry = lines.get(n - 3).replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "") + "\n" + lines.get(n - 2) + "\n" + lines.get(n - 1);
        }
        return new Outcome(errno, readBack, entry);
    }

    @Override
    public void close() throws IOException {
        IOException failed = null;
        try {
            Files.deleteIfExists(instance);
        } catch (IOException e) {
            failed = e;
        }
        for (String e : events) {
            try {
                append(TRACING.resolve("uprobe_events"), "-:" + group + "/" + e);
            } catch (IOException ex) {
                failed = ex;
            }
        }
        events.clear();
        if (failed != null) {
            throw failed;
        }
    }

    /** tracefs's filter file answers only a read at offset 0: read it in one go. */
    private static String readOnce(Path file) throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
            byte[] b = new byte[1 << 16];
            int n = in.read(b);
            return new String(b, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
        }
    }

    private static void append(Path file, String line) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            out.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
