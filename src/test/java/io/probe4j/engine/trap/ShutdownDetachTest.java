package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tracing JVM asked to stop (SIGTERM, as Ctrl-C would) detaches first: the program goes on unharmed.
 * (Merely dying would not be enough: the kernel would detach, but leave the breakpoint in place.)
 */
@Timeout(120) // a tracer bug shows as a hang: fail instead
@Tag("integration")
class ShutdownDetachTest {
    @Test
    void sigtermToTheTracingJvmLeavesTheProgramRunningToItsNormalEnd() throws Exception {
        String spin = Fixtures.compile("trap_spin.c", "-pthread").toString();
        String expected = Runs.untraced(List.of(spin, "100")).stdout();
        // TraceMain puts an int3 on finish(): if it were not removed at detach, the program would die of SIGTRAP
        Process nm = new ProcessBuilder("nm", spin).start();
        String finish = new String(nm.getInputStream().readAllBytes()).lines()
                .filter(l -> l.endsWith(" finish")).findFirst().orElseThrow().split(" ")[0];
        Path out = Files.createTempFile("trap_spin", ".out");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process jvm = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), TraceMain.class.getName(), out.toString(), finish, spin, "100")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            String line = r.readLine();
            assertTrue(line != null && line.startsWith("traced "), String.valueOf(line));
            int pid = Integer.parseInt(line.substring(7));
            while (!Files.readString(out).contains("ready")) {
                Thread.sleep(5);
            }
            jvm.destroy(); // SIGTERM: the shutdown hook detaches
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            assertEquals(128 + 15, jvm.exitValue());
            for (int i = 0; i < 3000 && Files.exists(Path.of("/proc/" + pid)); i++) {
                Thread.sleep(10);
            }
            assertFalse(Files.exists(Path.of("/proc/" + pid)), "the program did not finish");
            assertEquals(expected, Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
