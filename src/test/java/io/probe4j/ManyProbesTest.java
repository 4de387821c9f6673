package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.ManyFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of probes whose displaced instructions run out of line: more than one XOL area holds, near
 * the same code, and slots freed by unregistering are used again.
 */
@Timeout(600)
@Tag("integration")
class ManyProbesTest {
    private Path out;

    @BeforeEach
    void outputFile() throws Exception {
        out = Files.createTempFile("many_out", ".txt");
    }

    @AfterEach
    void removeOutput() throws Exception {
        Files.deleteIfExists(out);
    }

    private Launch spec(Path bin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        return Launch.of(cmd).withEnvironment(System.getenv()).withStdin(Path.of("/dev/null")).withStdout(out).withStderr(Path.of("/dev/null"));
    }

    @Test
    void tenThousandProbesAreEachHitOnceAndTheProgramComputesWhatItDoesUntraced() throws Exception {
        int n = 10_000;
        Path bin = ManyFunctions.callEachOnce(n);
        Process plain = new ProcessBuilder(bin.toString()).redirectErrorStream(true).start();
        String untraced = new String(plain.getInputStream().readAllBytes());
        assertEquals(0, plain.waitFor());
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        int status;
        try (Tracer t = Tracer.launch(spec(bin))) {
            for (int i = 0; i < n; i++) {
                int f = i;
                t.register(ProbeInfo.symbol(bin, "f" + i).preHandler(c -> hits.incrementAndGet(f)).build());
            }
            status = t.run();
        }
        assertEquals(0, status);
        assertEquals(untraced, Files.readString(out));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (hits.get(i) != 1) {
                wrong.add("f" + i + " hit " + hits.get(i) + " times");
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " probes were not hit once");
    }

    @Test
    void registeringAndUnregisteringFarBeyondOneAreasSlotsReusesThemWhileThreadsRunThroughThem() throws Exception {
        int functions = 64;
        int cycles = 2_100; // an XOL area holds 1,023 slots: without reuse this needs three
        Path bin = ManyFunctions.callUntilStopped(functions);
        Path stop = Files.createTempFile("many_stop", "");
        Files.delete(stop);
        AtomicInteger hits = new AtomicInteger();
        int status;
        long areas;
        try (Tracer t = Tracer.launch(spec(bin, stop.toString()))) {
            t.start();
            for (int c = 0; c < cycles; c++) {
                int before = hits.get();
                Probe p = t.register(ProbeInfo.symbol(bin, "f" + c % functions).preHandler(x -> hits.incrementAndGet()).build());
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (hits.get() == before) { // the threads call every function all the time
                    assertTrue(System.nanoTime() < deadline, "the probe of cycle " + c + " on f" + c % functions + " is never hit");
                    Thread.onSpinWait();
                }
                p.unregister();
            }
            areas = Files.readAllLines(Path.of("/proc/" + t.pid() + "/maps")).stream().filter(ManyProbesTest::xolArea).count();
            Files.createFile(stop);
            status = t.waitFor();
        } finally {
            Files.deleteIfExists(stop);
        }
        assertEquals(0, status, "the program saw a wrong result: " + Files.readString(out));
        assertEquals("ok\n", Files.readString(out));
        assertEquals(1, areas, "every slot went back to the one area");
    }

    /** An XOL area in {@code /proc/PID/maps}: anonymous {@code r-x} memory (named {@code [anon:probe4j-xol]} where the kernel names it). */
    private static boolean xolArea(String mapsLine) {
        io.probe4j.sys.Mapping m = io.probe4j.sys.Mapping.parse(mapsLine);
        return m.executable() && m.inode() == 0 && (m.path().isEmpty() || m.path().contains("probe4j-xol"));
    }
}
