package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.cli.Main;
import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.testing.Await;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.OwnJournals;
import io.probe4j.testing.UsdtFixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * probe4j killed with SIGKILL (kill -9, the OOM killer) runs no shutdown: the kernel detaches the traced
 * program with our int3s still in it. The guardian takes them out, so the program's next call is a
 * normal call, not a death by SIGTRAP; and the next probe4j run tells the user what happened. The
 * fixture calls the probed function once per line it reads, so the test decides when hits happen.
 */
@Tag("integration")
@Timeout(120)
class KilledTracerTest {
    @RegisterExtension
    final OwnJournals journals = new OwnJournals();

    private record Program(Process process, OutputStream in, BufferedReader out) {
        String hit() throws Exception {
            in.write('\n');
            in.flush();
            return out.readLine();
        }
    }

    private static Program start(Path bin) throws Exception {
        Process p = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Program(p, p.getOutputStream(), new BufferedReader(new InputStreamReader(p.getInputStream())));
    }

    private Process attach(Path events, long pid, Path bin, long tick, boolean guardian) throws Exception {
        return attach(events, pid, guardian, "p:kt_tick " + bin + ":0x" + Long.toHexString(tick) + " n=%di:s32");
    }

    private Process attach(Path events, long pid, boolean guardian, String definition) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Dprobe4j.guardian=" + guardian, "-Dprobe4j.journal.dir=" + journals.dir(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "trace", "-o", events.toString(), "-p", Long.toString(pid), definition));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static long tickAddress(long pid, Path bin, long fileOffset) {
        return io.probe4j.sys.Procfs.maps((int) pid).stream()
                .filter(m -> m.executable() && m.path().equals(bin.toString())).findFirst().orElseThrow()
                .addressOf(fileOffset);
    }

    @Test
    void theGuardianTakesTheBreakpointsOutAndTheNextRunSaysSo() throws Exception {
        Path bin = Fixtures.compile("guard_stdin.c");
        long tick = KernelFixtures.fileOffset(bin, "tick");
        byte original = Files.readAllBytes(bin)[(int) tick];
        Path events = Files.createTempFile("killed", ".events");
        Program program = start(bin);
        long pid = program.process().pid();
        Process jvm = attach(events, pid, bin, tick, true);
        try {
            long addr = tickAddress(pid, bin, tick);
            Await.until("probe4j put its breakpoint in", () -> readByte(pid, addr) == (byte) 0xcc);
            assertEquals("tick 1", program.hit());
            Await.until("the hit was recorded", () -> Files.readString(events).contains("kt_tick:"));

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            Await.until("the guardian put the original byte back", () -> readByte(pid, addr) == original);

            assertEquals("tick 2", program.hit(), "the next call is a normal call");
            program.in().close();
            assertEquals("done 2", program.out().readLine());
            assertEquals(0, program.process().waitFor());

            Cli.Result later = Cli.run("trace", "p:kt_later " + bin + ":0x" + Long.toHexString(tick), "--", "/bin/true");
            assertTrue(later.err().contains("an earlier probe4j (pid " + jvm.pid() + ") was killed while it had breakpoints in process "
                    + pid), "the next run tells the user: " + later.err());
            Cli.Result again = Cli.run("trace", "p:kt_later " + bin + ":0x" + Long.toHexString(tick), "--", "/bin/true");
            assertTrue(!again.err().contains("was killed"), "and only once: " + again.err());
        } finally {
            jvm.destroyForcibly();
            program.process().destroyForcibly();
            Files.deleteIfExists(events);
            // whatever this test left for "the next run" must not reach the next test's output
            JournalRestore.reportLeftovers(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
    }

    @Test
    void withoutTheGuardianTheProgramDiesOfSigtrapAtItsNextCall() throws Exception {
        Path bin = Fixtures.compile("guard_stdin.c");
        long tick = KernelFixtures.fileOffset(bin, "tick");
        Path events = Files.createTempFile("killed", ".events");
        Program program = start(bin);
        long pid = program.process().pid();
        Process jvm = attach(events, pid, bin, tick, false);
        try {
            long addr = tickAddress(pid, bin, tick);
            Await.until("probe4j put its breakpoint in", () -> readByte(pid, addr) == (byte) 0xcc);
            assertEquals("tick 1", program.hit());
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            program.in().write('\n');
            program.in().flush();
            assertEquals(128 + 5, program.process().waitFor(), "SIGTRAP kills the program");
            // the next run restores nothing (the process is gone) but still says what happened
            Cli.Result later = Cli.run("trace", "p:kt_later2 " + bin + ":0x" + Long.toHexString(tick), "--", "/bin/true");
            assertTrue(later.err().contains("an earlier probe4j (pid " + jvm.pid() + ") was killed"), later.err());
        } finally {
            jvm.destroyForcibly();
            program.process().destroyForcibly();
            Files.deleteIfExists(events);
            // whatever this test left for "the next run" must not reach the next test's output
            JournalRestore.reportLeftovers(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
    }

    /**
     * A USDT probe with a semaphore: probe4j adds one to the program's counter while the probe is in place
     * (the program then fires its guarded probe). Killed, probe4j cannot take it back; the guardian does,
     * so the program runs on as untraced, its guarded code off again.
     */
    @Test
    void theGuardianTakesBackTheUsdtSemaphoreIncrement() throws Exception {
        UsdtSemaphoreTest.Demo d = UsdtSemaphoreTest.Demo.start("wait", "tick:1");
        assertEquals("waiting sem=0", d.next());
        Path events = Files.createTempFile("killed", ".events");
        Process jvm = attach(events, d.pid(), true, "p:kt_usdt " + UsdtFixtures.demo("O2") + ":demo:tick");
        try {
            Await.until("probe4j set the semaphore", () -> d.semaphore() == 1);
            // and let the program go on (a kill while it is stopped by the tracer is another story: it
            // dies of the SIGTRAP pending then, which no guardian can take back)
            Await.until("the program runs on, traced", () -> state(d.pid()) == 'S');
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            Await.until("the guardian took the increment back", () -> d.semaphore() == 0);
            // what the next run tells the user (the note is written after the restore: wait for its text)
            Await.until("the guardian's note for the next run names the semaphore", () -> {
                try (var files = Files.list(journals.dir())) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".killed")).toList()) {
                        if (Files.readString(f).contains("1 USDT semaphore increments taken back")) {
                            return true;
                        }
                    }
                    return false;
                }
            });
            d.go();
            assertEquals("tick sem=0", d.next(), "the program runs untraced: its guarded probe is off");
            d.awaitEnd();
        } finally {
            jvm.destroyForcibly();
            ProcessHandle.of(d.pid()).ifPresent(ProcessHandle::destroyForcibly); // when the test failed before its end
            Files.deleteIfExists(events);
        }
    }

    /** The process's state letter in {@code /proc/PID/stat} (S sleeping, t stopped by its tracer…). */
    private static char state(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static byte readByte(long pid, long addr) {
        try (ProcessMemory m = new ProcessMemory((int) pid)) {
            return m.readForced(addr, 1)[0];
        }
    }
}
