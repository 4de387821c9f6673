package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code trace --engine inline -p PID} on a busy multi-threaded program, then Ctrl-C: while tracing the
 * probed function starts with the jump; after, the program runs on untraced with the file's bytes there
 * again (read through /proc/PID/mem), every hijacked return address put back (it finishes with the
 * result it has untraced), and the last event line is whole.
 */
@Timeout(120)
@Tag("integration")
class InlineDetachTest {

    @Test
    void ctrlCDetachesAndTheProgramRunsOnWithItsOriginalCode() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path dir = Files.createTempDirectory("inline_int");
        Path events = dir.resolve("events"), out = dir.resolve("out");
        long rounds = 5000; // with 1 ms pauses: several seconds, untraced too
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + rounds + " 1000 >" + out + " & echo $!", bin.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        long work = KernelFixtures.fileOffset(bin, "work");
        byte[] original = Arrays.copyOfRange(Files.readAllBytes(bin), (int) work, (int) work + 16);
        Process jvm = TrapDetachTest.probe4jWritingEvents(events, "--engine", "inline", "-p", Integer.toString(pid),
                "p:pi_int " + off(bin, "work") + " idx=%di:s64 j=%si:s64", "r:pi_intr " + off(bin, "work") + " rv=$retval:s64");
        long at = runtimeAddress(pid, bin, work);
        try (ProcessMemory m = new ProcessMemory(pid)) {
            assertEquals((byte) 0xe9, m.readForced(at, 1)[0], "the site holds the inline engine's jump while tracing");
        }
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor()); // Ctrl-C
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "probe4j ends on Ctrl-C");
        assertTrue(Files.exists(Path.of("/proc/" + pid)) && Procfs.state(pid, pid) != 'Z',
                "the program still runs after probe4j ended");
        try (ProcessMemory m = new ProcessMemory(pid)) {
            assertArrayEquals(original, m.readForced(at, original.length), "the file's bytes are back");
        }
        assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n",
                TrapDetachTest.waitForFile(out, "total", 60_000), "the program finished as without tracing");
        List<String> lines = Files.readAllLines(events);
        assertTrue(lines.getLast().contains("pi_int"), "the last event line is whole: " + lines.getLast());
        assertTrue(lines.stream().anyMatch(l -> l.contains("pi_intr:")), "return events were recorded");
        Files.deleteIfExists(events);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
    }

    private static long runtimeAddress(int pid, Path bin, long fileOffset) throws Exception {
        long inode = ((Number) Files.getAttribute(bin, "unix:ino")).longValue();
        for (Mapping m : Procfs.maps(pid)) {
            if (m.executable() && m.inode() == inode && fileOffset >= m.offset() && fileOffset < m.offset() + (m.end() - m.start())) {
                return m.addressOf(fileOffset);
            }
        }
        throw new AssertionError(bin + " is not mapped in " + pid);
    }
}
