package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.ProbeInfo;
import io.probe4j.Tracer;
import io.probe4j.cli.Main;
import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Detaching in the middle of a busy multi-threaded program with entry and return probes: the program
 * finishes with the output it has without tracing, with its original code and no probe4j mapping left.
 */
@Timeout(120)
@Tag("integration")
class TrapDetachTest {
    static final long ROUNDS = 300_000;
    static final String TOTAL = "total " + (4 * (ROUNDS * (ROUNDS - 1) / 2) + 1000 * ROUNDS * 6) + "\n";

    static String waitForFile(Path f, String prefix, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            String s = Files.exists(f) ? Files.readString(f) : "";
            if (s.startsWith(prefix) && s.endsWith("\n")) {
                return s;
            }
            Thread.sleep(20);
        }
        return Files.exists(f) ? Files.readString(f) : "<no file>";
    }

    /** {@code probe4j trace -o EVENTS ARGS...} in a JVM of its own, once it has written 20 kB of events. */
    static Process probe4jWritingEvents(Path events, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "trace", "-o", events.toString()));
        cmd.addAll(List.of(args));
        Process jvm = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && (!Files.exists(events) || Files.size(events) < 20_000)) {
            Thread.sleep(20);
        }
        assertTrue(Files.size(events) >= 20_000, "events are being written");
        return jvm;
    }

    @Test
    void sigtermToProbe4jDetachesAndTheProgramFinishesRight() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("probe_term");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        Process jvm = probe4jWritingEvents(events, "p:pt_work " + off(bin, "work") + " idx=%di:s64 j=%si:s64",
                "r:pt_workr " + off(bin, "work") + " rv=$retval:s64",
                "--", "/bin/sh", "-c", "exec \"$0\" " + ROUNDS + " >" + out, bin.toString());
        jvm.destroy(); // SIGTERM, as a service manager (or Ctrl-C, SIGINT) stops it
        assertTrue(jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(TOTAL, waitForFile(out, "total", 60_000), "the program finished as without tracing");
        List<String> lines = Files.readAllLines(events);
        assertTrue(lines.getLast().contains("pt_work"), "the last event line is whole: " + lines.getLast());
        Files.deleteIfExists(events);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
    }

    @Test
    void ctrlCToTraceDashPDetachesAndTheBusyProgramFinishesRight() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("probe_int");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        // started by a shell that exits at once: the program is not our child, and not in probe4j's
        // process group (as with a program started elsewhere): Ctrl-C reaches probe4j alone
        long rounds = 5000; // with 1 ms pauses: several seconds, untraced too
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + rounds + " 1000 >" + out + " & echo $!", bin.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        Process jvm = probe4jWritingEvents(events, "-p", Integer.toString(pid),
                "p:pt_int " + off(bin, "work") + " idx=%di:s64 j=%si:s64", "r:pt_intr " + off(bin, "work") + " rv=$retval:s64");
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor()); // Ctrl-C
        assertTrue(jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "probe4j ends on Ctrl-C");
        assertTrue(Files.exists(Path.of("/proc/" + pid)) && Procfs.state(pid, pid) != 'Z',
                "the program still runs after probe4j ended: Ctrl-C ended probe4j, not the program's end");
        assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n", waitForFile(out, "total", 60_000),
                "the program finished as without tracing");
        List<String> lines = Files.readAllLines(events);
        assertTrue(lines.getLast().contains("pt_int"), "the last event line is whole: " + lines.getLast());
        Files.deleteIfExists(events);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
    }

    @Test
    void attachThenDetachLeavesTheOriginalCodeAndNoMapping() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path out = Files.createTempFile("probe_attach", ".out");
        // started by a shell that exits at once: the program is not the JVM's child (the JDK would reap it)
        long rounds = 3000; // with 1 ms pauses: a few seconds
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + rounds + " 1000 >" + out + " & echo $!", bin.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        long work = KernelFixtures.fileOffset(bin, "work");
        byte original = Files.readAllBytes(bin)[(int) work];
        AtomicInteger entries = new AtomicInteger(), returns = new AtomicInteger();
        long[] addr = new long[1];
        List<Long> xol;
        try (Tracer t = Tracer.attach(pid)) {
            t.register(ProbeInfo.address(bin, work)
                    .preHandler(c -> {
                        addr[0] = c.address();
                        entries.incrementAndGet();
                    })
                    .returnHandler(c -> {
                        if (c.returnValue() != c.register("ax")) {
                            throw new AssertionError();
                        }
                        returns.incrementAndGet();
                    }).build());
            t.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (returns.get() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            xol = Procfs.maps(pid).stream().filter(m -> m.executable() && m.inode() == 0 && m.path().isEmpty())
                    .map(m -> m.start()).toList(); // anonymous r-x: the XOL area (named [anon:probe4j-xol] where supported)
            assertEquals(1, xol.size(), Procfs.maps(pid).toString());
            t.detach();
        }
        assertTrue(entries.get() >= 200);
        byte[] now = new byte[1];
        try (ProcessMemory m = new ProcessMemory(pid)) {
            assertEquals(1, m.read(addr[0], now));
        }
        assertEquals(original, now[0], "the original byte is back");
        assertFalse(Procfs.maps(pid).stream().anyMatch(m -> m.start() == xol.getFirst()), "the XOL area is unmapped");
        assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n", waitForFile(out, "total", 60_000));
        Files.deleteIfExists(out);
    }

    @Test
    void traceDashPFollowsAnAttachedProcessToItsEnd() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        // long enough untraced (3000 x 2 ms) that a loaded machine still attaches before its end
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" 3000 2000 >/dev/null & echo $!", bin.toString()).start();
        String pid = new String(sh.getInputStream().readAllBytes()).strip();
        sh.waitFor();
        io.probe4j.testing.Cli.Result r = io.probe4j.testing.Cli.run("trace", "-p", pid,
                "p:pt_attached " + off(bin, "work") + " idx=%di:s64 j=%si:s64");
        List<String> events = r.out().lines().filter(l -> l.contains("pt_attached:")).toList();
        assertTrue(events.size() > 100 && events.size() <= 4 * 3000, events.size() + " events\n" + r.err());
        String last = events.getLast();
        assertTrue(last.matches(".*idx=[0-3] j=\\d+$"), last);
        assertTrue(r.err().contains("attached to process " + pid), r.err());
    }
}
