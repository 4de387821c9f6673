package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertFalse(ringMappings(pid).isEmpty(), "the program maps the rings while traced: " + Procfs.maps(pid));
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor()); // Ctrl-C
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "probe4j ends on Ctrl-C");
        assertTrue(Files.exists(Path.of("/proc/" + pid)) && Procfs.state(pid, pid) != 'Z',
                "the program still runs after probe4j ended");
        try (ProcessMemory m = new ProcessMemory(pid)) {
            assertArrayEquals(original, m.readForced(at, original.length), "the file's bytes are back");
        }
        // tens of MiB populated at attach: a program attached to again and again must not keep them all
        assertEquals(List.of(), ringMappings(pid), "the rings' shared memory is no longer mapped after detach");
        assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n",
                TrapDetachTest.waitForFile(out, "total", 60_000), "the program finished as without tracing");
        List<String> lines = Files.readAllLines(events);
        assertTrue(lines.getLast().contains("pi_int"), "the last event line is whole: " + lines.getLast());
        assertTrue(lines.stream().anyMatch(l -> l.contains("pi_intr:")), "return events were recorded");
        Files.deleteIfExists(events);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
    }

    /**
     * Detach while the program's threads sleep inside a probed function with a return probe (libc's
     * {@code usleep}): their return addresses point into the exit trampolines until probe4j puts the
     * callers' addresses back (no word of the program's writable memory points there after), and the
     * program ends as untraced.
     */
    @Test
    void detachPutsBackEveryHijackedReturnAddress() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path out = Files.createTempFile("inline_spin", ".out");
        long rounds = 10; // 4 threads, each sleeping 3 s a round in usleep
        Process sh = new ProcessBuilder("/bin/sh", "-c", "\"$0\" " + rounds + " 3000000 >" + out + " & echo $!", bin.toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        Path events = Files.createTempFile("inline_spin", ".events");
        Thread.sleep(200); // its threads started
        long anonBefore = rssAnonKb(pid);
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                io.probe4j.cli.Main.class.getName(), "trace", "--engine", "inline", "-o", events.toString(), "-p",
                Integer.toString(pid), "r:pi_sleep libc:usleep"));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // the trampoline areas: anonymous r-x ([anon:probe4j-inline...] where the kernel names them)
        List<Mapping> exits = List.of();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (exits.isEmpty() && System.nanoTime() < deadline) {
            exits = Procfs.maps(pid).stream().filter(m -> m.executable() && m.inode() == 0
                    && (m.path().isEmpty() || m.path().contains("probe4j"))).toList();
            Thread.sleep(20);
        }
        assertFalse(exits.isEmpty(), "the trampolines are mapped (two areas the kernel may merge): " + Procfs.maps(pid));
        // the threads sleep in usleep most of the time, with their return addresses swapped once they call it
        // again after the patch: up to a round (3 s) later
        int hijacked = 0;
        for (long until = System.nanoTime() + 10_000_000_000L; hijacked <= 0 && System.nanoTime() < until; ) {
            Thread.sleep(20);
            hijacked = pointersInto(pid, exits);
        }
        assertTrue(hijacked > 0, "return addresses point into the exit trampolines while tracing");
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor());
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "probe4j ends on Ctrl-C");
        int left = -1;
        for (int i = 0; i < 100 && left < 0; i++) {
            left = pointersInto(pid, exits);
            Thread.sleep(5);
        }
        assertEquals(0, left, "no live stack word points into an exit trampoline");
        // what a detach leaves behind is what the trampolines, the patched code page and the used return
        // stacks took: kilobytes. Reading pages of the 2 MiB return stacks the program never touched, or
        // keeping the rings' pages, would make them its own
        long grew = rssAnonKb(pid) - anonBefore;
        assertTrue(grew < 1024, "the program's private memory grew by " + grew + " kB over an attach and a detach");
        assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n",
                TrapDetachTest.waitForFile(out, "total", 60_000), "the program finished as without tracing");
        Files.deleteIfExists(out);
        Files.deleteIfExists(events);
    }

    /**
     * A signal handler interrupted a thread inside a trampoline, and probe4j detaches (and ends) while the
     * handler waits: what the detach leaves mapped (the trampolines, the rings' address space on fresh pages) lets
     * the thread, once the handler returns, finish its record where nobody reads it and go back to the
     * program's code. Unmapping them would kill the program here. The signal lands in a trampoline most of
     * the time (the thread spends most of its loop there): a try where it did not proves nothing, and
     * another is made.
     */
    @Test
    void aThreadASignalInterruptedInsideATrampolineRunsOnAfterTheDetach() throws Exception {
        Path bin = Fixtures.compile("inline_signal_detach.c", "-pthread", "-O2");
        for (int attempt = 1; ; attempt++) {
            Process program = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(program.getInputStream()));
                assertEquals("ready", out.readLine());
                int pid = (int) program.pid();
                Path events = Files.createTempFile("inline_signal", ".events");
                Process jvm = TrapDetachTest.probe4jWritingEvents(events, "--engine", "inline", "-p", Integer.toString(pid),
                        "p:isd_work " + off(bin, "work") + " i=%di:s64");
                program.getOutputStream().write("go\n".getBytes());
                program.getOutputStream().flush();
                String said = out.readLine(); // from the handler, which then waits for a line
                assertTrue(said != null && said.startsWith("interrupted at 0x"), "the handler ran: " + said);
                long ip = Long.parseUnsignedLong(said.substring("interrupted at 0x".length()), 16);
                boolean inTrampoline = Procfs.maps(pid).stream().anyMatch(m -> m.contains(ip) && m.executable() && m.inode() == 0
                        && !m.path().startsWith("["));
                assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor()); // Ctrl-C
                assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "probe4j ends on Ctrl-C");
                assertEquals(List.of(), ringMappings(pid), "detached: the rings are no longer mapped");
                program.getOutputStream().write("return\n".getBytes()); // the handler returns
                program.getOutputStream().flush();
                assertEquals("ok", out.readLine(), "the program ran on after its handler returned");
                assertTrue(program.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, program.exitValue(), "exit status");
                Files.deleteIfExists(events);
                if (inTrampoline) {
                    return;
                }
                assertTrue(attempt < 5, "in 5 tries the signal never interrupted the thread inside a trampoline");
            } finally {
                program.destroyForcibly();
            }
        }
    }

    /**
     * Words of the threads' live stacks (from each one's stack pointer up, as {@code /proc/PID/task/TID/syscall}
     * gives it for a thread in a system call) whose value lies in one of {@code areas}; -1 while a thread
     * runs (call again). Dead slots below a stack pointer may keep old return addresses: not counted.
     */
    private static int pointersInto(int pid, List<Mapping> areas) throws Exception {
        int n = 0;
        List<Mapping> maps = Procfs.maps(pid);
        try (ProcessMemory m = new ProcessMemory(pid)) {
            for (int tid : Procfs.tasks(pid)) {
                String[] f = Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/syscall")).strip().split(" ");
                if (f.length < 9) {
                    return -1; // running
                }
                long sp = Long.parseUnsignedLong(f[7].substring(2), 16);
                Mapping stack = maps.stream().filter(w -> w.contains(sp)).findFirst().orElseThrow();
                byte[] b = new byte[(int) (stack.end() - sp)];
                int got = m.read(sp, b);
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b, 0, Math.max(got, 0)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i + 8 <= got; i += 8) {
                    long v = bb.getLong(i);
                    for (Mapping area : areas) {
                        if (v >= area.start() && v < area.end()) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** {@code RssAnon} of {@code /proc/PID/status}, in kB: the program's private resident memory. */
    private static long rssAnonKb(int pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("RssAnon:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
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

    /** The program's mappings of the rings' memfd (the kernel names it {@code /memfd:probe4j-inline}). */
    private static List<Mapping> ringMappings(int pid) {
        return Procfs.maps(pid).stream().filter(m -> m.path().startsWith("/memfd:probe4j-inline")).toList();
    }
}
