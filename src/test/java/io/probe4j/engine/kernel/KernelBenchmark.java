package io.probe4j.engine.kernel;

import static io.probe4j.engine.kernel.KernelFixtures.*;

import io.probe4j.event.OutputFormat;
import io.probe4j.event.StreamSink;
import io.probe4j.testing.Kernel;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a timed test: figures for the report. A benchmark, run on demand: {@code mvn verify -Pbench}, or
 * alone with {@code mvn test -Dtest=KernelBenchmark}.
 * kev_loop calls target(i, i+1) N times and prints how long its loop took; the same probe
 * ({@code a=%di:s32 b=%si:s32}) is measured untraced, through a raw tracefs instance (the kernel
 * alone, no reader; then with {@code cat trace_pipe} as reader) and through probe4j (parse + format
 * every event into ftrace text).
 */
@Kernel
@Tag("bench")
class KernelBenchmark {
    static final int N = Integer.getInteger("probe4j.bench.n", 200_000);

    @Test
    void figures() throws Exception {
        Path loop = loop();
        long off = fileOffset(loop, "target");
        String def = loop + ":0x" + Long.toHexString(off) + " a=%di:s32 b=%si:s32";
        for (int round = 0; round < 3; round++) {
            long base = loopNs(List.of(loop.toString(), Integer.toString(N)));
            long raw = rawTracefs(def, loop, false);
            long rawCat = rawTracefs(def, loop, true);
            long[] p4j = probe4j(loop, off);
            System.out.printf("N=%d untraced %.1f ns/call | raw tracefs (no reader) +%.0f ns/hit | raw tracefs + cat trace_pipe +%.0f ns/hit"
                            + " | probe4j +%.0f ns/hit, %d events printed, %d lost, %.0f events/s hit-to-printed, JVM CPU %.0f ns/event%n",
                    N, base / (double) N, (raw - base) / (double) N, (rawCat - base) / (double) N, (p4j[0] - base) / (double) N,
                    p4j[1], p4j[2], N / (p4j[3] / 1e9), p4j[4] / (double) N);
        }
    }

    static long loopNs(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out);
    }

    static long rawTracefs(String def, Path loop, boolean reader) throws Exception {
        String group = "kevbench_" + ProcessHandle.current().pid();
        Path inst = TRACEFS.resolve("instances/kevbench-" + ProcessHandle.current().pid());
        Files.writeString(TRACEFS.resolve("uprobe_events"), "p:" + group + "/target " + def + "\n", StandardOpenOption.APPEND);
        Process cat = null;
        try {
            Files.createDirectory(inst);
            Files.writeString(inst.resolve("trace_clock"), "mono");
            Files.writeString(inst.resolve("buffer_size_kb"), "16384");
            Files.writeString(inst.resolve("events/" + group + "/target/enable"), "1");
            if (reader) {
                cat = new ProcessBuilder("cat", inst.resolve("trace_pipe").toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            }
            return loopNs(List.of(loop.toString(), Integer.toString(N)));
        } finally {
            if (cat != null) {
                cat.destroy();
                cat.waitFor();
            }
            Files.deleteIfExists(inst);
            Files.writeString(TRACEFS.resolve("uprobe_events"), "-:" + group + "/target\n", StandardOpenOption.APPEND);
        }
    }

    /** {loop ns, events printed, events lost, ns from start to the last event printed, JVM CPU ns}. */
    static long[] probe4j(Path loop, long off) throws Exception {
        ResolvedProbe p = probe(false, "target", loop, "target", arg("a", "%di:s32", reg("di"), s(32)), arg("b", "%si:s32", reg("si"), s(32)));
        Path result = Files.createTempFile("kevbench", ".txt");
        try {
            StreamSink sink = StreamSink.of(OutputStream.nullOutputStream(), OutputFormat.TEXT, null);
            long cpu0 = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            long t0 = System.nanoTime();
            KernelTracer t = KernelTracer.start(List.of(p), sink, System.err);
            t.run(List.of("/bin/sh", "-c", "exec \"$0\" \"$1\" > \"$2\"", loop.toString(), Integer.toString(N), result.toString()));
            t.close();
            long elapsed = System.nanoTime() - t0;
            long cpu = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() - cpu0;
            return new long[] {Long.parseLong(Files.readString(result).trim()), sink.events(), t.lostEvents(), elapsed, cpu};
        } finally {
            Files.deleteIfExists(result);
        }
    }
}
