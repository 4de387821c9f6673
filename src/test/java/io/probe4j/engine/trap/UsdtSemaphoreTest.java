package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.probe4j.Probe;
import io.probe4j.ProbeInfo;
import io.probe4j.Launch;
import io.probe4j.Tracer;
import io.probe4j.error.UserException;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import io.probe4j.testing.UsdtFixtures;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * USDT semaphores in the trap engine, read from the traced process's memory: a probe with a reference
 * counter holds the program's semaphore at one while it is in place, so the program fires its guarded
 * probe, and at zero again once the probe is unregistered or the session detached; a child the session
 * does not follow gets it back to zero before it runs. (That the kernel does the same is checked in
 * {@link UsdtEnginesTest}.)
 */
@Timeout(120)
@Tag("integration")
class UsdtSemaphoreTest {
    private static final Path DEMO = UsdtFixtures.demo("O2");
    private static final SdtNote TICK = note(DEMO, "tick");

    static SdtNote note(Path file, String name) {
        return ElfFile.open(file).sdtNotes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** The 16-bit semaphore at {@code fileOffset} of {@code file}, read through {@code /proc/PID/mem}. */
    static int semaphore(long pid, Path file, long fileOffset) throws IOException {
        for (Mapping m : Procfs.maps((int) pid)) {
            if (m.path().equals(file.toString()) && m.writable() && fileOffset >= m.offset()
                    && fileOffset < m.offset() + (m.end() - m.start())) {
                try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
                    mem.seek(m.addressOf(fileOffset));
                    return mem.readUnsignedByte() | mem.readUnsignedByte() << 8;
                }
            }
        }
        throw new AssertionError("process " + pid + " maps no writable data of " + file);
    }

    private static ProbeInfo tick(AtomicInteger hits) {
        return ProbeInfo.address(DEMO, TICK.offset()).refCtrOffset(TICK.semaphoreOffset().getAsLong())
                .preHandler(ctx -> hits.incrementAndGet()).build();
    }

    /**
     * The fixture, untraced, waiting on its standard input (a FIFO) between steps, writing to a file. An
     * orphan, not a child of this JVM (whose process reaper would take the ptrace stops of a child).
     */
    record Demo(int pid, Path dir, Path out, OutputStream in, int[] read) {
        static Demo start(String... steps) throws Exception {
            Path dir = Files.createTempDirectory("usdt_sem");
            Path fifo = dir.resolve("in");
            Path out = dir.resolve("out");
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                    "IN=$1 OUT=$2; shift 2; \"$0\" \"$@\" >\"$OUT\" 2>/dev/null <>\"$IN\" & echo $!", DEMO.toString(),
                    fifo.toString(), out.toString()));
            cmd.addAll(List.of(steps));
            // the FIFO opened read-write: opening it for reading alone would block the job until we open it
            Process sh = new ProcessBuilder(cmd).start();
            int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).strip());
            assertEquals(0, sh.waitFor());
            return new Demo(pid, dir, out, new FileOutputStream(fifo.toFile()), new int[1]);
        }

        /** The program's next line of output. */
        String next() throws Exception {
            for (int i = 0; i < 3000; i++) {
                List<String> lines = Files.exists(out) ? Files.readString(out).lines().toList() : List.of();
                if (lines.size() > read[0] && Files.readString(out).endsWith("\n")) {
                    return lines.get(read[0]++);
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no line " + (read[0] + 1) + " from the fixture: " + Files.readString(out));
        }

        void go() throws IOException {
            in.write('\n');
            in.flush();
        }

        int semaphore() throws IOException {
            return UsdtSemaphoreTest.semaphore(pid, DEMO, TICK.semaphoreOffset().getAsLong());
        }

        /** Waits for the program's end (it is not our child: its exit status is not ours to see). */
        void awaitEnd() throws Exception {
            in.close();
            for (int i = 0; i < 3000 && Files.exists(Path.of("/proc/" + pid)); i++) {
                Thread.sleep(10);
            }
            assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " did not end");
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir.resolve("in"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void attachSetsTheSemaphoreAndDetachClearsIt() throws Exception {
        Demo d = Demo.start("wait", "tick:2", "wait", "tick:1");
        assertEquals("waiting sem=0", d.next());
        assertEquals(0, d.semaphore());
        AtomicInteger hits = new AtomicInteger();
        try (Tracer t = Tracer.attach(d.pid())) {
            t.register(tick(hits));
            t.start();
            assertEquals(1, d.semaphore(), "set while the probe is in place");
            d.go();
            assertEquals("tick sem=1", d.next());
            assertEquals("waiting sem=1", d.next());
            assertEquals(2, hits.get(), "the guarded probe fired");
            t.detach();
            assertEquals(0, d.semaphore(), "cleared at the detach");
        }
        d.go();
        assertEquals("tick sem=0", d.next());
        d.awaitEnd();
        assertEquals(2, hits.get());
    }

    @Test
    void unregisteringTheProbeClearsTheSemaphoreWhileAttached() throws Exception {
        Demo d = Demo.start("wait", "wait", "tick:1");
        assertEquals("waiting sem=0", d.next());
        AtomicInteger hits = new AtomicInteger();
        try (Tracer t = Tracer.attach(d.pid())) {
            Probe p = t.register(tick(hits));
            t.start();
            assertEquals(1, d.semaphore());
            p.unregister();
            assertEquals(0, d.semaphore(), "cleared with the probe");
            d.go();
            assertEquals("waiting sem=0", d.next());
            Probe again = t.register(tick(hits));
            assertEquals(1, d.semaphore(), "set by a probe registered while running");
            again.unregister();
            assertEquals(0, d.semaphore());
            d.go();
            assertEquals("tick sem=0", d.next());
            assertEquals(0, t.waitFor());
        }
        d.awaitEnd();
        assertEquals(0, hits.get());
    }

    @Test
    void twoProbesSharingASemaphoreCountTwice() throws Exception {
        SdtNote step = note(DEMO, "step");
        Demo d = Demo.start("wait", "wait");
        assertEquals("waiting sem=0", d.next());
        try (Tracer t = Tracer.attach(d.pid())) {
            t.register(tick(new AtomicInteger()));
            Probe second = t.register(ProbeInfo.address(DEMO, step.offset()).refCtrOffset(TICK.semaphoreOffset().getAsLong()).build());
            t.start();
            assertEquals(2, d.semaphore(), "one increment per probed place, as the kernel counts");
            second.unregister();
            assertEquals(1, d.semaphore());
            t.detach();
            assertEquals(0, d.semaphore());
        }
        d.go();
        assertEquals("waiting sem=0", d.next());
        d.go();
        d.awaitEnd();
    }

    @Test
    void aForkChildTheSessionDoesNotFollowRunsWithTheSemaphoreCleared() throws Exception {
        Path out = Files.createTempFile("usdt_fork", ".out");
        try {
            Launch spec = Launch.of(DEMO.toString(), "fork", "tick:1").withStdin(Path.of("/dev/null")).withStdout(out)
                    .withStderr(Path.of("/dev/null"));
            AtomicInteger hits = new AtomicInteger();
            try (Tracer t = Tracer.launch(spec).followChildren(false)) {
                t.register(tick(hits));
                assertEquals(0, t.run());
            }
            // the child inherits the parent's memory, counter included, and has our increment taken out with
            // our breakpoints before it runs; the parent keeps its own
            assertEquals(List.of("child sem=0", "tick sem=0", "child done sem=1", "tick sem=1"), Files.readAllLines(out));
            assertEquals(1, hits.get(), "only the parent's tick was traced");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aReferenceCounterOutsideTheWritableDataIsRefused() {
        try (Tracer t = Tracer.launch(DEMO.toString())) {
            UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                    () -> t.register(ProbeInfo.address(DEMO, TICK.offset()).refCtrOffset(TICK.offset()).build()));
            assertEquals(DEMO + ": reference counter (semaphore) offset 0x" + Long.toHexString(TICK.offset())
                    + " is not in the file's writable data, where a USDT semaphore is", e.getMessage());
        }
    }

}
