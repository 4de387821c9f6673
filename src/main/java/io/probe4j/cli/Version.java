package io.probe4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code probe4j --version}: the pom's version, the one version string, which the build writes into
 * {@code version.properties} next to this class (resource filtering), so the jar, the AOT cache's
 * training run and the tests' class directories all print the same.
 */
final class Version implements IVersionProvider {
    /** The pom's {@code <version>}. */
    static String number() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing next to " + Version.class.getName()
                        + ": build with Maven");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"probe4j " + number()};
    }
}
