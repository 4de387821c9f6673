package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Cli;
import io.probe4j.testing.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A traced program gets what it would get untraced: the same environment, and only its own events are traced. */
@Timeout(120)
@Tag("integration")
class LaunchTransparencyTest {
    /**
     * An environment as a shell would pass it: not sorted, a value that is not UTF-8, an empty value,
     * a name twice (getenv finds the first).
     */
    private static final String ENV = "env -i ZED=last B=2 A='with space' EMPTY= A=again PATH=/usr/bin:/bin "
            + "\"$(printf 'RAW=\\377\\376x')\"";

    /** {@code COMMAND} run with exactly {@link #ENV}; its standard output. */
    private static byte[] withEnv(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "exec " + ENV + " " + command)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), command);
        return out;
    }

    private static String probe4j() {
        return String.join(" ", List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    }

    private static void theProgramGetsTheEnvironmentByteForByte(String engine) throws Exception {
        Path events = Files.createTempFile("transparency", ".events");
        try {
            byte[] untraced = withEnv("/usr/bin/env");
            byte[] traced = withEnv(probe4j() + " trace --engine " + engine + " -o " + events
                    + " 'p:tr_getenv libc:getenv name=+0(%di):string' -- /usr/bin/env");
            assertTrue(new String(untraced, java.nio.charset.StandardCharsets.ISO_8859_1).contains("RAW=\u00ff\u00fex"),
                    "the shell passed the bytes that are not UTF-8");
            assertArrayEquals(untraced, traced, "env prints the same bytes traced:\n" + new String(traced) + "\nand untraced:\n"
                    + new String(untraced));
            assertTrue(Files.readString(events).contains("tr_getenv:"), "and it was traced");
        } finally {
            Files.deleteIfExists(events);
        }
    }

    @Test
    void theTrapEnginesProgramGetsTheEnvironmentByteForByte() throws Exception {
        theProgramGetsTheEnvironmentByteForByte("trap");
    }

    @Test
    @Kernel
    void theKernelEnginesProgramGetsTheEnvironmentByteForByte() throws Exception {
        theProgramGetsTheEnvironmentByteForByte("kernel");
    }

    @Test
    void theInlineEnginesProgramGetsTheEnvironmentByteForByte() throws Exception {
        theProgramGetsTheEnvironmentByteForByte("inline");
    }

    /** Field 19 of {@code stat}, the nice value, of a {@code cat} started under {@code nice -n 3}, traced or not. */
    private static String niceOfCat(String traced) throws Exception {
        String stat = new String(withEnv("nice -n 3 " + traced + "/bin/cat /proc/self/stat"), java.nio.charset.StandardCharsets.ISO_8859_1);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3];
    }

    /**
     * probe4j's own threads run at a lower priority than the program, so that they do not take its CPU
     * (see Niceness); the program itself keeps the priority it was started with.
     */
    @Test
    void theProgramKeepsThePriorityItWasStartedWith() throws Exception {
        assertEquals("3", niceOfCat(""), "nice works here");
        for (String engine : List.of("inline", "trap")) {
            assertEquals("3", niceOfCat(probe4j() + " trace --engine " + engine + " -o /dev/null 'p:tr_open libc:open' -- "), engine);
        }
    }

    /**
     * probe4j's background threads yield to the program, but the JVM's signal dispatcher does not: the
     * thread that detaches on SIGTERM or Ctrl-C descends from it and inherits its nice value, and a detach
     * must not wait behind a busy program for a tenth of a CPU.
     */
    @Test
    void theThreadThatDetachesOnASignalKeepsProbe4jsPriority() throws Exception {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", "exec " + probe4j()
                + " trace --engine inline -o /dev/null 'p:tr_open libc:open' -- /bin/sleep 30"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int pid = (int) p.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String compiler = null;
            while (compiler == null || !compiler.equals("10")) { // once the other threads are put in the background
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "probe4j lowers its compiler's priority; it is " + compiler);
                Thread.sleep(20);
                compiler = niceOfThread(pid, "C1 CompilerThre");
            }
            String ours = Files.readString(Path.of("/proc/thread-self/stat")); // probe4j started with this thread's
            assertEquals(ours.substring(ours.lastIndexOf(')') + 2).split(" ")[19 - 3], niceOfThread(pid, "Signal Dispatch"),
                    "the signal dispatcher's nice value");
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe4j ends on SIGTERM");
            assertEquals(128 + 15, p.exitValue(), "killed by SIGTERM, after the detach");
        } finally {
            p.destroyForcibly();
        }
    }

    /** The nice value of the first thread of {@code pid} named {@code name}; null when it has none. */
    private static String niceOfThread(int pid, String name) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path t : tasks.sorted().toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                        String stat = Files.readString(t.resolve("stat"));
                        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3];
                    }
                } catch (IOException ended) {
                    // the thread ended while we looked
                }
            }
        }
        return null;
    }

    /**
     * The kernel engine holds the command until its pid is in the filter; nothing of that gate (a shell
     * and its libc) may show up in the trace: every malloc event is the program's, and there are as
     * many as the trap engine sees.
     */
    @Test
    @Kernel
    void theKernelEngineTracesOnlyTheCommandNotTheGateThatStartsIt() throws Exception {
        List<List<String>> byEngine = new ArrayList<>();
        for (String engine : List.of("kernel", "trap")) {
            Cli.Result r = Cli.run("trace", "--engine", engine, "p:tr_malloc libc:malloc size=%di:u64", "--", "/bin/echo", "hi");
            assertEquals(0, r.status(), r.err());
            List<String> events = r.out().lines().filter(l -> l.contains("tr_malloc:")).toList();
            assertTrue(!events.isEmpty(), engine + ": echo calls malloc");
            for (String e : events) {
                assertTrue(e.stripLeading().startsWith("echo-"), engine + ": an event of another task than the command: " + e);
            }
            byEngine.add(events.stream().map(l -> l.replaceAll(".*size=", "size=")).toList());
        }
        assertEquals(byEngine.get(1), byEngine.get(0), "the kernel engine sees the malloc calls the trap engine sees");
    }
}
