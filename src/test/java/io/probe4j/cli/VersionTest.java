package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.testing.Cli;
import io.probe4j.testing.PomVersion;
import org.junit.jupiter.api.Test;

/** One version string: {@code probe4j --version} prints the pom's. */
class VersionTest {
    @Test
    void versionIsThePomsVersion() {
        assertEquals(new Cli.Result(0, "probe4j " + PomVersion.read() + "\n", ""), Cli.run("--version"));
    }
}
