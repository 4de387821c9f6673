package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.BackgroundJob;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * probe4j driven the way scripts drive it: started as a background job of a non-interactive shell
 * (SIGINT ignored on entry) and stopped with {@code kill -INT} or {@code kill -TERM}. Every engine and
 * mode ends promptly, as after Ctrl-C in a terminal: exit status 128+N, breakpoints out, tracefs
 * state removed, output complete and written once.
 */
@Timeout(180)
@Tag("integration")
class ScriptDrivenTest {
    private static final int ROUNDS = 2500, PAUSE_US = 2000; // about 5 s untraced: still running when the signal comes

    private static String total(long rounds) {
        return "total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n";
    }

    private static String work(Path bin) {
        return bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "work"));
    }

    /** Waits until {@code file} holds a line containing {@code text}. */
    private static void awaitLine(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line with '" + text + "' in " + file);
    }

    private static String await(Path file, String prefix) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String s = Files.exists(file) ? Files.readString(file) : "";
            if (s.startsWith(prefix) && s.endsWith("\n")) {
                return s;
            }
            Thread.sleep(20);
        }
        return Files.exists(file) ? Files.readString(file) : "<no file>";
    }

    @Test
    void sigintFromAScriptEndsTheTraceOfALaunchedCommandAndTheProgramRunsOnUnharmed() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("script-int");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        BackgroundJob job = BackgroundJob.probe4j("trace", "-o", events.toString(), "p:sd_work " + work(bin) + " idx=%di:s64",
                "r:sd_workr " + work(bin) + " rv=$retval:s64",
                "--", "/bin/sh", "-c", "exec \"$0\" " + ROUNDS + " " + PAUSE_US + " >" + out, bin.toString());
        try {
            awaitLine(events, "sd_workr:");
            job.kill("INT");
            assertEquals(130, job.waitFor(30), "probe4j ends on SIGINT with 128+2: " + job.err());
            assertFalse(Files.exists(out) && Files.readString(out).startsWith("total"), "probe4j ended before the program");
            assertEquals(total(ROUNDS), await(out, "total"), "the program finished as without tracing (no int3 left behind)");
            assertTrue(Files.readAllLines(events).getLast().matches(".*sd_workr?: .*"), "the last event line is whole");
        } finally {
            job.close();
            clean(dir, events, out);
        }
    }

    @Test
    void sigintFromAScriptDetachesTraceDashP() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("script-p");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        // started by a shell that exits at once: not our child, not probe4j's either
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + ROUNDS + " " + PAUSE_US + " >" + out + " & echo $!", bin.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        BackgroundJob job = BackgroundJob.probe4j("trace", "-o", events.toString(), "-p", Integer.toString(pid),
                "p:sd_pwork " + work(bin) + " idx=%di:s64", "r:sd_pworkr " + work(bin) + " rv=$retval:s64");
        try {
            awaitLine(events, "sd_pworkr:");
            job.kill("INT");
            assertEquals(130, job.waitFor(30), "probe4j -p ends on SIGINT: " + job.err());
            assertTrue(Files.exists(Path.of("/proc/" + pid)), "the program still runs: SIGINT ended probe4j, not the program");
            assertEquals(total(ROUNDS), await(out, "total"), "the program finished as without tracing");
        } finally {
            job.close();
            clean(dir, events, out);
        }
    }

    @Test
    void profileAndOutputFileAreWrittenOnceWhenASignalEndsTheTrace() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("script-profile");
        Path table = dir.resolve("table"), out = dir.resolve("out");
        BackgroundJob job = BackgroundJob.probe4j("trace", "--profile", "-o", table.toString(), "p:sd_once " + work(bin),
                "--", "/bin/sh", "-c", "exec \"$0\" " + ROUNDS + " " + PAUSE_US + " >" + out, bin.toString());
        try {
            awaitTracedThreads(job.pid(), "probe_threads", 5); // a profile writes nothing before the end
            job.kill("TERM");
            assertEquals(143, job.waitFor(30), "probe4j ends on SIGTERM with 128+15: " + job.err());
            List<String> lines = Files.readAllLines(table);
            assertEquals(1, lines.size(), "one table, one line for the one event: " + lines);
            assertTrue(lines.getFirst().matches("\\s+" + bin + " sd_once\\s+\\d+"), lines.getFirst());
            assertTrue(Long.parseLong(lines.getFirst().replaceAll(".* ", "")) > 0, "hits were counted");
        } finally {
            job.close();
            clean(dir, table, out);
        }
    }

    @Test
    @Kernel
    void sigintFromAScriptEndsTheKernelEngineTracingEveryProcessAndRemovesItsEvents() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("script-all");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        BackgroundJob job = BackgroundJob.probe4j("trace", "--engine", "kernel", "-o", events.toString(), "p:sd_all " + work(bin));
        Process program = null;
        try {
            int pid = job.pid();
            awaitEnabled(pid, "sd_all");
            program = new ProcessBuilder("/bin/sh", "-c", "exec \"$0\" " + ROUNDS + " " + PAUSE_US + " >" + out, bin.toString()).start();
            awaitLine(events, "sd_all:");
            job.kill("INT");
            assertEquals(130, job.waitFor(30), "probe4j --all ends on SIGINT: " + job.err());
            assertEquals(List.of(), leftovers(pid), "no event or instance of the session is left in tracefs");
        } finally {
            if (program != null) {
                program.destroyForcibly();
            }
            job.close();
            clean(dir, events, out);
        }
    }

    @Test
    @Kernel
    void sigtermFromAScriptEndsTheKernelEngineTracingACommand() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("script-kterm");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        BackgroundJob job = BackgroundJob.probe4j("trace", "--engine", "kernel", "-o", events.toString(), "p:sd_kterm " + work(bin),
                "--", "/bin/sh", "-c", "exec \"$0\" " + ROUNDS + " " + PAUSE_US + " >" + out, bin.toString());
        try {
            int pid = job.pid();
            awaitLine(events, "sd_kterm:");
            job.kill("TERM");
            assertEquals(143, job.waitFor(30), "probe4j ends on SIGTERM: " + job.err());
            assertEquals(List.of(), leftovers(pid), "no event or instance of the session is left in tracefs");
            assertEquals(total(ROUNDS), await(out, "total"), "the program runs on to its end");
        } finally {
            job.close();
            clean(dir, events, out);
        }
    }

    /** What a probe4j JVM of pid {@code pid} has in tracefs: its events' group and its instances. */
    private static List<String> leftovers(int pid) throws Exception {
        List<String> events = Files.readAllLines(KernelFixtures.TRACEFS.resolve("uprobe_events")).stream()
                .filter(l -> l.contains("probe4j_" + pid)).toList();
        try (Stream<Path> instances = Files.list(KernelFixtures.TRACEFS.resolve("instances"))) {
            return Stream.concat(events.stream(), instances.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("probe4j-" + pid))).toList();
        }
    }

    /** Waits until the session of probe4j {@code pid} has enabled {@code event} in its instance. */
    private static void awaitEnabled(int pid, String event) throws Exception {
        Path enable = KernelFixtures.TRACEFS.resolve("instances/probe4j-" + pid + "/events/probe4j_" + pid + "/" + event + "/enable");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(enable).strip().equals("1")) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the instance or the event is not there yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("probe4j " + pid + " did not enable " + event);
    }

    /** Waits until a child of {@code tracer} named {@code comm}, traced, runs all its {@code threads}. */
    private static void awaitTracedThreads(int tracer, String comm, int threads) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean found = ProcessHandle.allProcesses().anyMatch(p -> {
                try {
                    Path proc = Path.of("/proc", Long.toString(p.pid()));
                    String status = Files.readString(proc.resolve("status"));
                    return Files.readString(proc.resolve("comm")).strip().equals(comm)
                            && status.contains("PPid:\t" + tracer + "\n") && !status.contains("TracerPid:\t0\n")
                            && io.probe4j.sys.Procfs.tasks((int) p.pid()).size() == threads;
                } catch (java.io.IOException | RuntimeException gone) {
                    return false;
                }
            });
            if (found) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + comm + " with " + threads + " threads traced by " + tracer);
    }

    private static void clean(Path dir, Path... files) throws Exception {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }
}
