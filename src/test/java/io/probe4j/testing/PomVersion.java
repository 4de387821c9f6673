package io.probe4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The project's version as pom.xml gives it: what every version the build prints must be. */
public final class PomVersion {
    /** The {@code <version>} after the project's {@code <artifactId>} (before it, only the parent's could be). */
    private static final Pattern PROJECT_VERSION = Pattern.compile(
            "<artifactId>probe4j</artifactId>\\s*<version>([^<]+)</version>");

    private PomVersion() {
    }

    public static String read() {
        try {
            Matcher m = PROJECT_VERSION.matcher(Files.readString(Path.of("pom.xml")));
            if (!m.find()) {
                throw new IllegalStateException("no probe4j <version> in pom.xml");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
