package io.probe4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A breakpoint-journal directory of a test's own ({@code -Dprobe4j.journal.dir}), for the probe4j it
 * kills and the runs after: a probe4j started meanwhile elsewhere on the machine (other tests, other
 * checkouts, other builds) restores and reports the journals of dead JVMs it finds, which would take
 * the test's evidence away. Register with {@code @RegisterExtension}; removed after each test.
 */
public final class OwnJournals implements BeforeEachCallback, AfterEachCallback {
    private Path dir;

    /** The directory of the running test. */
    public Path dir() {
        return dir;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("journals");
        System.setProperty("probe4j.journal.dir", dir.toString());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        System.clearProperty("probe4j.journal.dir");
        try (var left = Files.list(dir)) {
            for (Path f : left.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
