package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's documentation builds without a warning, as {@code mvn javadoc:javadoc} builds it (the
 * module's exported packages; doclint's every check but "missing"), and the API proper
 * ({@code io.probe4j}, {@code io.probe4j.error}) passes "missing" too: every public type, member,
 * parameter, result and checked exception is described. The javadoc of the JDK the tests run on.
 */
@Tag("integration")
@Timeout(300)
class ApiJavadocTest {
    @TempDir
    Path out;

    @Test
    void theExportedPackagesDocumentCleanly() throws Exception {
        assertEquals("", javadoc("-Xdoclint:all,-missing"));
        assertTrue(Files.exists(out.resolve("io.probe4j/io/probe4j/Tracer.html")), "Tracer documented");
        assertTrue(Files.notExists(out.resolve("io.probe4j/io/probe4j/sys")), "internal packages not documented");
    }

    @Test
    void theApiDescribesEveryMember() throws Exception {
        assertEquals("", javadoc("-Xdoclint:all", "-Xdoclint/package:io.probe4j,io.probe4j.error"));
    }

    /** What javadoc printed besides its progress (nothing means no warning and no error). */
    private String javadoc(String... doclint) throws Exception {
        Path picocli = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javadoc").toString(), "-quiet", "-d", out.toString(), "-Xmaxwarns", "10000",
                "--module-path", picocli.toString(), "--module-source-path", "io.probe4j=src/main/java",
                "--module", "io.probe4j"));
        args.addAll(List.of(doclint));
        Path log = Files.createTempFile("javadoc", ".log");
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int status = p.waitFor();
            String printed = Files.readString(log);
            assertEquals(0, status, "javadoc failed:\n" + printed);
            return printed;
        } finally {
            Files.delete(log);
        }
    }
}
