package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.EventLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.spec.ProbeDefinition;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Figures of the inline engine's core, inside this JVM (not part of the test suite: its name does not
 * end in Test; run with {@code mvn test -Dtest=InlineProbeBench}). A C loop in the fixture library
 * calls the probed function through a pointer N times; the cost of a hit is the loop's time patched
 * minus unpatched, divided by N, the median of rounds that alternate the two. Nothing is asserted.
 */
class InlineProbeBench {
    static final long N = 2_000_000;
    static final int ROUNDS = 9;
    static LoadedLibrary lib = LoadedLibrary.fixture();
    static TscClock clock = TscClock.calibrate();

    interface Loop {
        void run() throws Throwable;
    }

    /** Median ns per call of {@code loop} run by {@code threads} threads at once, each N calls (wall time x min(threads, cores) / calls). */
    static double nsPerCall(Loop loop, int threads, Runnable betweenRounds, List<Double> into) throws Exception {
        int cores = Math.min(threads, Runtime.getRuntime().availableProcessors());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    try {
                        loop.run();
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double ns = (double) (System.nanoTime() - t0) * cores / (threads * N);
            betweenRounds.run();
            into.add(ns);
            return ns;
        }
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    /**
     * ns added per hit: rounds alternating the loop without and with the probe (the first of each
     * discarded), while a reader thread empties the rings as the engine's consumer would.
     */
    static String added(String what, String function, String args, Loop loop, int threads, boolean keepFlags,
            TrampolineGenerator.ThreadLayout thread) throws Exception {
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":" + function + " " + args);
        EventLayout layout = EventLayout.of(0, false, d.args());
        List<Double> plain = new ArrayList<>();
        List<Double> probed = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        try (RingMapping rings = RingMapping.create("probe4j-bench", RingLayout.forCpus(
                Runtime.getRuntime().availableProcessors(), 8 << 20, 1));
                ExecutorService readerThread = Executors.newSingleThreadExecutor()) {
            RingReader reader = new RingReader(rings);
            Future<?> consumer = readerThread.submit(() -> {
                while (!done.get()) {
                    if (reader.poll((r, rec, len) -> { }) == 0) {
                        Thread.onSpinWait();
                    }
                }
                return null;
            });
            for (int round = 0; round < ROUNDS + 1; round++) {
                List<Double> skip = new ArrayList<>();
                nsPerCall(loop, threads, () -> { }, round == 0 ? skip : plain);
                try (InstalledProbe p = InstalledProbe.entry(lib, function, 0, layout, rings, keepFlags, thread)) {
                    nsPerCall(loop, threads, () -> { }, round == 0 ? skip : probed);
                }
            }
            done.set(true);
            consumer.get();
            if (reader.lost(0) > 0) {
                return String.format("%-48s %d records lost: the reader fell behind, figures invalid", what, reader.lost(0));
            }
        }
        return String.format("%-48s %7.1f ns/call plain, %7.1f probed: %6.1f ns added per hit", what, median(plain),
                median(probed), median(probed) - median(plain));
    }

    @Test
    void costPerHit() throws Exception {
        MethodHandle addLoop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        MethodHandle strLoop = lib.handle("il_strlen_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS));
        Loop add = () -> {
            long ignored = (long) addLoop.invokeExact(N);
        };
        MemorySegment name = Arena.global().allocateFrom("LOCPATH");
        Loop str = () -> {
            long ignored = (long) strLoop.invokeExact(N, name);
        };
        TrampolineGenerator.ThreadLayout rseq = ThisThread.layout();
        TrampolineGenerator.ThreadLayout lsl = new TrampolineGenerator.ThreadLayout(rseq.tidOffset(), -1);
        List<String> out = new ArrayList<>();
        out.add(added("entry, 2 register args, CPU from rseq", "il_add", "a=%di b=%si", add, 1, false, rseq));
        out.add(added("entry, 2 register args, CPU from lsl", "il_add", "a=%di b=%si", add, 1, false, lsl));
        out.add(added("entry, 2 register args, rseq, flags kept", "il_add", "a=%di b=%si", add, 1, true, rseq));
        out.add(added("entry, a string arg (7 bytes) and a number", "il_strlen", "s=+0(%di):string k=%si", str, 1, false, rseq));
        out.add(added("entry, 2 register args, 4 threads", "il_add", "a=%di b=%si", add, 4, false, rseq));
        out.add(added("entry, a string arg, 4 threads", "il_strlen", "s=+0(%di):string k=%si", str, 4, false, rseq));
        out.forEach(System.out::println);
    }

    /**
     * The recording path of {@code trace --engine inline --format binary}: one thread calls the probed
     * function at a given rate (bursts of 10,000 calls, then a wait), the reader copies the records out of
     * rings sized as a recording's ({@link InlineReader#recordingLayout}) and writes them to a file as {@link RecordingWriter}
     * does: records/s offered, recorded and lost. Then {@code probe4j report} of the largest recording
     * into /dev/null: the text path (decoding, time order, formatting) in lines/s. The files
     * go to {@code -Dbench.dir=DIR} (default /tmp; /dev/shm to leave the disk out); {@code -Dbench.passes=N}
     * runs the rates N times over; {@code -Dbench.keep=FILE} keeps the largest recording there instead of
     * reporting it (to time {@code report} of one recording from the command line).
     */
    @Test
    void binaryRecordingAndReport() throws Throwable {
        MethodHandle addLoop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":il_add a=%di b=%si");
        EventLayout layout = EventLayout.of(0, false, d.args());
        long burst = 10_000;
        java.nio.file.Path best = null;
        long bestRecords = 0;
        int passes = Integer.getInteger("bench.passes", 1);
        double[] rates = new double[1 + 5 * passes];
        rates[0] = 5e6; // warms up
        for (int pass = 0; pass < passes; pass++) {
            System.arraycopy(new double[] {5e6, 10e6, 15e6, 20e6, 1e12}, 0, rates, 1 + 5 * pass, 5);
        }
        // the rings of one trace serve every rate, as in a trace: their pages are in place after the first round
        try (RingMapping rings = RingMapping.create("probe4j-bench", InlineReader.recordingLayout(
                Runtime.getRuntime().availableProcessors(), 1));
                InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings, false, ThisThread.layout())) {
            RingReader counters = new RingReader(rings);
            for (double rate : rates) {
                java.nio.file.Path file = java.nio.file.Files.createTempFile(java.nio.file.Path.of(System.getProperty("bench.dir", "/tmp")),
                        "probe4j-bench", ".rec");
                long records;
                long lost = -counters.lost(0);
                double seconds;
                {
                    AtomicLong written = new AtomicLong();
                    RecordingWriter writer = new RecordingWriter(file, List.of(d.resolvedTo(d.target().path(), 0)), clock);
                    RecordStage counting = new WatchedStage(writer) {
                        @Override
                        void seen(RecordBatch batch) {
                            written.addAndGet(batch.records());
                        }
                    };
                    InlineReader reader = new InlineReader(rings, List.of("uprobes/ev"), clock, counting, Backlog.LIMIT,
                            Backlog.BATCH_BYTES).start();
                    long calls = 0;
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < 700_000_000L) {
                        long ignored = (long) addLoop.invokeExact(burst);
                        calls += burst;
                        long wait = t0 + (long) (calls / rate * 1e9) - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait); // not a spin: 2 cores, 3 threads
                        }
                    }
                    seconds = (System.nanoTime() - t0) / 1e9;
                    lost += counters.lost(0);
                    reader.finish();
                    records = written.get();
                    System.out.printf("binary recording: %5.1f M records/s offered (%s), %5.1f M/s recorded, %d lost, %.0f MB written, load %s%n",
                            calls / seconds / 1e6, rate > 1e9 ? "as fast as one thread calls" : String.format("target %.0f M/s", rate / 1e6),
                            records / seconds / 1e6, lost, java.nio.file.Files.size(file) / 1e6, load());
                }
                if (records > bestRecords) {
                    if (best != null) {
                        java.nio.file.Files.delete(best);
                    }
                    best = file;
                    bestRecords = records;
                } else {
                    java.nio.file.Files.delete(file);
                }
            }
        }
        String keep = System.getProperty("bench.keep");
        if (best != null && keep != null) {
            java.nio.file.Files.move(best, java.nio.file.Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("kept the largest recording (%d records) as %s%n", bestRecords, keep);
            best = null;
        }
        if (best != null) {
            for (int pass = 0; pass < 3; pass++) {
                long t0 = System.nanoTime();
                int status = io.probe4j.cli.Main.run("report", best.toString(), "-o", "/dev/null");
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("report (decode, time order, ftrace text to /dev/null): %.2f M lines/s (%d lines, exit %d)%n",
                        bestRecords / s / 1e6, bestRecords, status);
            }
            java.nio.file.Files.delete(best);
        }
    }

    /**
     * The consumer's CPU time per record of the binary form, apart from the machine's load: rings of 64 MiB are
     * filled first (1.2 M records of two arguments), then the reader (and the decoding thread) take them into a
     * recording on /dev/shm; the CPU time of the consumer's threads ({@code schedstat}) per record, and the
     * time they waited to run.
     */
    @Test
    void consumerCpuPerRecord() throws Throwable {
        MethodHandle addLoop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":il_add a=%di b=%si");
        EventLayout layout = EventLayout.of(0, false, d.args());
        long calls = 1_200_000;
        for (int round = 0; round < 8; round++) {
            java.nio.file.Path file = java.nio.file.Files.createTempFile(java.nio.file.Path.of("/dev/shm"), "probe4j-bench", ".rec");
            try (RingMapping rings = RingMapping.create("probe4j-bench", RingLayout.forCpus(
                    Runtime.getRuntime().availableProcessors(), 64 << 20, 1));
                    InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings, false, ThisThread.layout())) {
                long ignored = (long) addLoop.invokeExact(calls);
                long[] heads = new RingReader(rings).heads();
                RecordingWriter writer = new RecordingWriter(file, List.of(d.resolvedTo(d.target().path(), 0)), clock);
                long[] before = consumerSchedstat();
                InlineReader reader = new InlineReader(rings, List.of("uprobes/ev"), clock, writer, Backlog.LIMIT, Backlog.BATCH_BYTES).start();
                for (int r = 0; r < heads.length; r++) {
                    while (rings.memory().getLongAcquire(rings.layout().ringOffset(r) + RingLayout.TAIL) != heads[r]) {
                        Thread.sleep(1);
                    }
                }
                Thread.sleep(50); // the last batch is written after its room was given back
                long[] after = consumerSchedstat();
                reader.finish();
                System.out.printf("consumer of the binary form: %.1f ns CPU a record (%.1f ms for %d records), waited %.1f ms to run, load %s%n",
                        (after[0] - before[0]) / (double) calls, (after[0] - before[0]) / 1e6, calls, (after[1] - before[1]) / 1e6, load());
            }
            java.nio.file.Files.delete(file);
        }
    }

    /** CPU time and run-queue wait (ns) of this JVM's threads named probe4j-inline-*, from /proc/self/task/TID/schedstat. */
    static long[] consumerSchedstat() throws java.io.IOException {
        long[] sum = new long[2];
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks) {
                try {
                    if (java.nio.file.Files.readString(t.resolve("comm")).startsWith("probe4j-inline")) {
                        String[] f = java.nio.file.Files.readString(t.resolve("schedstat")).trim().split(" ");
                        sum[0] += Long.parseLong(f[0]);
                        sum[1] += Long.parseLong(f[1]);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        return sum;
    }

    /**
     * {@code probe4j report} of one recording ({@code -Dbench.recording=FILE}, e.g. one that
     * {@link #binaryRecordingAndReport} kept) into /dev/null, {@code -Dbench.passes=N} times: lines/s.
     */
    @Test
    void reportOfARecording() throws Exception {
        String file = System.getProperty("bench.recording");
        if (file == null) {
            System.out.println("reportOfARecording: no -Dbench.recording=FILE");
            return;
        }
        long lines = 0;
        for (int pass = 0; pass < Integer.getInteger("bench.passes", 3); pass++) {
            java.nio.file.Path out = java.nio.file.Files.createTempFile(java.nio.file.Path.of("/dev/shm"), "probe4j-bench", ".txt");
            long a0 = allocated();
            long t0 = System.nanoTime();
            int status = io.probe4j.cli.Main.run("report", file, "-o", lines == 0 ? out.toString() : "/dev/null");
            double s = (System.nanoTime() - t0) / 1e9;
            long bytes = allocated() - a0;
            if (lines == 0) {
                try (java.util.stream.Stream<String> l = java.nio.file.Files.lines(out)) {
                    lines = l.count();
                }
            }
            java.nio.file.Files.delete(out);
            System.out.printf("report of %s: %.2f M lines/s (%d lines, exit %d), %.0f bytes allocated a line, load %s%n", file,
                    lines / s / 1e6, lines, status, (double) bytes / lines, load());
        }
    }

    /** Bytes this thread allocated so far (the JDK's ThreadMXBean, through reflection: this module does not read java.management). */
    static long allocated() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }

    /** The load average over the last minute, as {@code uptime} gives it. */
    static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    @Test
    void eventsAndTextLinesPerSecondDecoded() throws Throwable {
        MethodHandle addLoop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":il_add a=%di b=%si:s32");
        EventLayout layout = EventLayout.of(0, false, d.args());
        long calls = 200_000;
        try (RingMapping rings = RingMapping.create("probe4j-bench", RingLayout.forCpus(
                Runtime.getRuntime().availableProcessors(), 32 << 20, 1));
                InstalledProbe p = InstalledProbe.entry(lib, "il_add", 0, layout, rings, false, ThisThread.layout())) {
            long ignored = (long) addLoop.invokeExact(calls);
            List<byte[]> records = new ArrayList<>();
            long start = System.nanoTime();
            new RingReader(rings).poll((ring, record, length) -> records.add(Arrays.copyOf(record, length)));
            System.out.printf("reader alone: %.2f M records/s taken from full rings%n", records.size() / ((System.nanoTime() - start) / 1e9) / 1e6);
            EventDecoder decoder = new EventDecoder(new EventDecoder.EventSpec[] {
                new EventDecoder.EventSpec(layout, d.group(), d.event(), lib.address("il_add"))}, clock);
            for (int pass = 0; pass < 8; pass++) {
                long t0 = System.nanoTime();
                long bytes = 0;
                for (byte[] r : records) {
                    ProbeEvent e = decoder.decode(r, r.length);
                    bytes += TraceText.line(e).length;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("decode + ftrace text: %.2f M lines/s (%d bytes)%n", records.size() / s / 1e6, bytes);
            }
        }
    }
}
