package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.probe4j.error.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Launch}: what a launched program gets (directory, environment, streams) is what was asked for. */
@Timeout(60)
@Tag("integration")
class LaunchTest {
    @TempDir
    Path dir;

    @Test
    void theProgramRunsInItsDirectoryWithItsEnvironmentAndStreams() throws Exception {
        Files.copy(Path.of("/bin/sh"), dir.resolve("sh"));
        dir.resolve("sh").toFile().setExecutable(true);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Files.writeString(out, "old contents, longer than the new ones\n");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ZETA", "last first");
        env.put("ALPHA", "a'b");
        int status;
        // a relative program is found from the launch's directory, as execvp in it would find it
        try (Tracer t = Tracer.launch(Launch.of("./sh", "-c", "pwd; env; echo oops >&2; exit 3")
                .withDirectory(dir).withEnvironment(env).withStdin(Path.of("/dev/null")).withStdout(out).withStderr(err))) {
            status = t.run();
        }
        assertEquals(3, status);
        // dash's pwd and env add nothing of their own: PWD is the shell's, exported by no one
        assertEquals(dir.toRealPath() + "\nZETA=last first\nALPHA=a'b\nPWD=" + dir.toRealPath() + "\n", Files.readString(out));
        assertEquals("oops\n", Files.readString(err));
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path missing = dir.resolve("gone");
        UserException e = assertThrows(UserException.class, () -> {
            try (Tracer t = Tracer.launch(Launch.of("true").withDirectory(missing))) {
                t.start();
            }
        });
        assertEquals("cannot run true in " + missing + ": no such directory", e.getMessage());
    }

    @Test
    void aLaunchNeedsACommand() {
        assertThrows(IllegalArgumentException.class, () -> Launch.of());
    }
}
