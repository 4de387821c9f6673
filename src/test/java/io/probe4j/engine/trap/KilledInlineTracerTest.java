package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.cli.Main;
import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.testing.Await;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.OwnJournals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --engine inline} killed with SIGKILL: the kernel detaches the program with probe4j's jumps
 * still in its code. The guardian puts the original bytes back from the journal's inline patch lines,
 * so the program runs on as untraced, to its normal end. The fixture calls the probed functions once
 * per line it reads, so the test decides when hits happen.
 */
@Tag("integration")
@Timeout(120)
class KilledInlineTracerTest {
    /** The bytes compared at each site: more than any patch (a jump over whole instructions) covers. */
    private static final int SITE_BYTES = 16;

    @RegisterExtension
    final OwnJournals journals = new OwnJournals();

    @Test
    void theGuardianPutsTheOriginalCodeBackAtEveryPatchedSite() throws Exception {
        Path bin = Fixtures.compile("guard_inline.c");
        byte[] file = Files.readAllBytes(bin);
        List<Long> offsets = List.of(KernelFixtures.fileOffset(bin, "tick"), KernelFixtures.fileOffset(bin, "tock"));
        Path events = Files.createTempFile("killed_inline", ".events");
        Process program = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        OutputStream in = program.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(program.getInputStream()));
        long pid = program.pid();
        String site = bin + ":0x";
        Process jvm = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Dprobe4j.journal.dir=" + journals.dir(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "trace", "--engine", "inline",
                "-o", events.toString(), "-p", Long.toString(pid),
                "p:ki_tick " + site + Long.toHexString(offsets.get(0)) + " n=%di:s64",
                "r:ki_tickr " + site + Long.toHexString(offsets.get(0)) + " rv=$retval:s64",
                "p:ki_tock " + site + Long.toHexString(offsets.get(1)) + " n=%di:s64"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            List<Long> addresses = new ArrayList<>();
            for (long off : offsets) {
                addresses.add(io.probe4j.sys.Procfs.maps((int) pid).stream()
                        .filter(m -> m.executable() && m.path().equals(bin.toString())).findFirst().orElseThrow()
                        .addressOf(off));
            }
            for (long a : addresses) {
                Await.until("probe4j patched 0x" + Long.toHexString(a), () -> read(pid, a)[0] == (byte) 0xe9);
            }
            assertEquals("tick 1", hit(in, out));
            Await.until("the hits were recorded", () -> Files.readString(events).contains("ki_tock:"));
            assertTrue(Files.readString(events).contains("ki_tickr:"), Files.readString(events));

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            for (int i = 0; i < addresses.size(); i++) {
                long a = addresses.get(i);
                byte[] original = Arrays.copyOfRange(file, (int) (long) offsets.get(i), (int) (long) offsets.get(i) + SITE_BYTES);
                Await.until("the guardian put the original code back at 0x" + Long.toHexString(a),
                        () -> Arrays.equals(read(pid, a), original));
                assertArrayEquals(original, read(pid, a));
            }

            assertEquals("tick 2", hit(in, out), "the next calls run the program's own code");
            assertEquals("tick 3", hit(in, out));
            in.close();
            assertEquals("done 3", out.readLine());
            assertEquals(0, program.waitFor(), "the program ends as untraced");

            Cli.Result later = Cli.run("trace", "p:ki_later " + site + Long.toHexString(offsets.get(0)), "--", "/bin/true");
            assertTrue(later.err().contains("an earlier probe4j (pid " + jvm.pid() + ") was killed"),
                    "the next run tells the user: " + later.err());
        } finally {
            jvm.destroyForcibly();
            program.destroyForcibly();
            Files.deleteIfExists(events);
            JournalRestore.reportLeftovers(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
    }

    private static String hit(OutputStream in, BufferedReader out) throws Exception {
        in.write('\n');
        in.flush();
        return out.readLine();
    }

    private static byte[] read(long pid, long addr) {
        try (ProcessMemory m = new ProcessMemory((int) pid)) {
            return m.readForced(addr, SITE_BYTES);
        }
    }
}
