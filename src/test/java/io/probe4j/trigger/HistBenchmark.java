package io.probe4j.trigger;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a timed test: prints what a hist trigger adds per hit, in one run. The benchmark's
 * {@code int target(int,int)} in a loop, traced by the command line with an entry probe taking both
 * arguments: printing every hit, printing nothing ({@code --tracing-off}), and aggregating in a hist trigger
 * without printing; on the trap engine, and the kernel engine where there is one; and the aggregation alone
 * (an in-process loop over {@link Histogram#accept}). Each configuration runs several times, interleaved; the
 * median and the range are printed. Run on demand: {@code mvn verify -Pbench}, or
 * {@code mvn test -Dtest=HistBenchmark}.
 */
@Tag("bench")
class HistBenchmark {
    private static final int N = Integer.getInteger("probe4j.bench.hits", 100_000);
    private static final int ROUNDS = Integer.getInteger("probe4j.bench.rounds", 5);

    @Test
    void nanosecondsAHistTriggerAddsPerHit() throws Exception {
        Path bin = Fixtures.compile("probe_bench.c", "-O2");
        Path out = Files.createTempFile("hist_bench", ".out");
        String def = "p:pb_e " + bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "target")) + " a=%di:s32 b=%si:s32";
        double plain = untraced(bin, out);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"untraced call", String.format("%.1f", plain)});
        List<String> engines = KernelFixtures.kernelAvailable() ? List.of("trap", "kernel") : List.of("trap");
        List<String[]> modes = List.of(new String[] {"every hit printed"}, new String[] {"nothing printed", "--tracing-off"},
                new String[] {"hist:keys=a.log2:vals=b, nothing printed", "--tracing-off", "--trigger", "pb_e: hist:keys=a.log2:vals=b"},
                new String[] {"hist:keys=b.buckets=1000, nothing printed", "--tracing-off", "--trigger", "pb_e: hist:keys=b.buckets=1000"});
        for (String engine : engines) {
            cli(engine, def, bin, out, N / 5); // warm-up
            // the configurations interleaved, round by round: the machine's load drifts over minutes
            List<List<Double>> samples = new ArrayList<>();
            modes.forEach(m -> samples.add(new ArrayList<>()));
            for (int round = 0; round < ROUNDS; round++) {
                for (int m = 0; m < modes.size(); m++) {
                    String[] mode = modes.get(m);
                    samples.get(m).add(cli(engine, def, bin, out, N, List.of(mode).subList(1, mode.length).toArray(String[]::new)) - plain);
                }
            }
            for (int m = 0; m < modes.size(); m++) {
                List<Double> s = samples.get(m).stream().sorted().toList();
                rows.add(new String[] {engine + " engine, " + modes.get(m)[0],
                        String.format("%.0f (%.0f-%.0f)", s.get(s.size() / 2), s.getFirst(), s.getLast())});
            }
        }
        rows.add(new String[] {"Histogram.accept alone (in-process, hist:keys=a.log2:vals=b)", String.format("%.0f", aggregation())});
        System.out.println("ns added per hit (" + N + " hits of int target(int,int); median (range) of " + ROUNDS
                + " interleaved runs):");
        for (String[] r : rows) {
            System.out.printf("  %-62s %s%n", r[0], r[1]);
        }
        Files.deleteIfExists(out);
    }

    private static double untraced(Path bin, Path out) throws Exception {
        Process p = new ProcessBuilder(bin.toString(), "" + N).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return nsPerCall(out);
    }

    private static double cli(String engine, String def, Path bin, Path out, int n, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("trace", "--engine", engine, "-o", "/dev/null", def));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "/bin/sh", "-c", "exec \"$0\" " + n + " >" + out + " 2>/dev/null", bin.toString()));
        Cli.run(args.toArray(String[]::new));
        return nsPerCall(out);
    }

    private static double nsPerCall(Path out) throws Exception {
        String s = Files.readString(out).strip();
        return Double.parseDouble(s.substring(s.indexOf("ns_per_call ") + 12).split("\\s")[0]);
    }

    /** ns per {@link Histogram#accept} of prepared events, after a warm-up. */
    private static double aggregation() {
        ProbeDefinition d = (ProbeDefinition) Parser.extended().parseLine("p:pb_e /bin/true:0x1000 a=%di:s32 b=%si:s32").orElseThrow();
        List<ProbeEvent> events = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            events.add(new ProbeEvent("pb", 1, 1, 0, "DBZff", i, "uprobes", "pb_e", new ProbeEvent.Site.Entry(0x1000),
                    List.of(new ProbeEvent.Arg("a", new Value.Signed(i * 7919L)), new ProbeEvent.Arg("b", new Value.Signed(i)))));
        }
        Histogram h = Histogram.of("hist:keys=a.log2:vals=b", d);
        long t0 = 0;
        int rounds = 400;
        for (int r = 0; r < rounds; r++) {
            if (r == rounds / 2) {
                t0 = System.nanoTime();
            }
            for (ProbeEvent e : events) {
                h.accept(e);
            }
        }
        return (System.nanoTime() - t0) / (double) (rounds / 2 * events.size());
    }
}
