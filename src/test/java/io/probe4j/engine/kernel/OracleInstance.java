package io.probe4j.engine.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain tracefs instance of the test's own (no pid filter, no probe4j code reading it) with a
 * session's events enabled: what the kernel itself records for the same probes.
 */
final class OracleInstance implements AutoCloseable {
    private final Path dir;

    OracleInstance(String name, String group, List<String> events) throws IOException {
        dir = KernelFixtures.TRACEFS.resolve("instances").resolve(name);
        Files.createDirectory(dir);
        Files.writeString(dir.resolve("trace_clock"), "mono");
        for (String e : events) {
            Files.writeString(dir.resolve("events/" + group + "/" + e + "/enable"), "1");
        }
    }

    /** The event lines of the instance's {@code trace} file (header dropped), as Latin-1 strings. */
    List<String> lines() throws IOException {
        return new String(Files.readAllBytes(dir.resolve("trace")), StandardCharsets.ISO_8859_1).lines()
                .filter(l -> !l.startsWith("#")).toList();
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
