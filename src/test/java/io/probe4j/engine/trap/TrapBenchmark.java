package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.StopWait;
import io.probe4j.ProbeInfo;
import io.probe4j.Launch;
import io.probe4j.Tracer;
import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a timed test: prints the nanoseconds a probe adds per hit, in one run, for the trap engine (the
 * public API with a minimal handler, and the definition language writing text lines), the minimal C
 * ptrace tracer ({@code bench/c/minitracer.c}, same one-stop XOL design; sleeping in waitpid, and
 * polling first as the trap engine does) and the kernel's uprobes. A benchmark, run on demand:
 * {@code mvn verify -Pbench}, or alone with {@code mvn test -Dtest=TrapBenchmark}.
 */
@Tag("bench")
class TrapBenchmark {
    static final int N = Integer.getInteger("probe4j.bench.hits", 100_000);

    static double nsPerCall(Path out) throws Exception {
        String s = Files.readString(out).strip();
        return Double.parseDouble(s.substring(s.indexOf("ns_per_call ") + 12).split("\\s")[0]);
    }

    @Test
    void nanosecondsPerHit() throws Exception {
        Path bin = Fixtures.compile("probe_bench.c", "-O2");
        Path mini = Fixtures.compileAs("bench_minitracer", "../../../bench/c/minitracer.c", "-O2");
        String target = Long.toHexString(KernelFixtures.fileOffset(bin, "target"));
        String poll = Long.toString(StopWait.MAX_NS);
        Path out = Files.createTempFile("probe_bench", ".out");
        String def = bin + ":0x" + target;
        List<String[]> rows = new ArrayList<>();
        double plain = run(List.of(bin.toString(), "" + N), out);
        rows.add(new String[] {"untraced call", "", String.format("%.1f", plain)});
        for (String mode : List.of("entry", "ret", "both")) {
            run(List.of(bin.toString(), "" + N / 10), out); // keep the page cache and CPU warm alike
            String cMode = mode.equals("ret") ? "return" : mode;
            double c = run(List.of(mini.toString(), cMode, target, "3", "--", bin.toString(), "" + N), out) - plain;
            double cPoll = run(List.of(mini.toString(), "--poll", poll, cMode, target, "3", "--", bin.toString(), "" + N), out) - plain;
            api(bin, mode, out, N / 5); // warm-up: JIT-compiles the hit path
            double api = api(bin, mode, out, N) - plain;
            List<String> defs = switch (mode) {
                case "entry" -> List.of("p:pb_e " + def + " a=%di:s32 b=%si:s32");
                case "ret" -> List.of("r:pb_r " + def + " rv=$retval:s32");
                default -> List.of("p:pb_e " + def + " a=%di:s32 b=%si:s32", "r:pb_r " + def + " rv=$retval:s32");
            };
            double text = cli("trap", defs, bin, out) - plain;
            double kernel = KernelFixtures.kernelAvailable() ? cli("kernel", defs, bin, out) - plain : Double.NaN;
            rows.add(new String[] {mode, "minimal C ptrace tracer, sleeping", String.format("%.0f", c)});
            rows.add(new String[] {mode, "minimal C ptrace tracer, polling", String.format("%.0f", cPoll)});
            rows.add(new String[] {mode, "trap engine, Java API handler", String.format("%.0f (%.2fx C, %.2fx C polling)", api, api / c, api / cPoll)});
            rows.add(new String[] {mode, "trap engine, trace text to /dev/null", String.format("%.0f (%.2fx C, %.2fx C polling)", text, text / c, text / cPoll)});
            rows.add(new String[] {mode, "kernel uprobe (tracefs)", String.format("%.0f", kernel)});
        }
        System.out.println("ns added per hit (" + N + " hits of int target(int,int), mean of one run each; the machine's load moves all rows together):");
        for (String[] r : rows) {
            System.out.printf("  %-6s %-40s %s%n", r[0], r[1], r[2]);
        }
        Files.deleteIfExists(out);
    }

    static double run(List<String> cmd, Path out) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(600, TimeUnit.SECONDS);
        return nsPerCall(out);
    }

    static double api(Path bin, String mode, Path out, int n) throws Exception {
        long[] sink = new long[1];
        Launch spec = Launch.of(bin.toString(), "" + n).withStdin(Path.of("/dev/null")).withStdout(out)
                .withStderr(Path.of("/dev/null"));
        try (Tracer t = Tracer.launch(spec)) {
            ProbeInfo.Builder b = ProbeInfo.symbol(bin, "target");
            if (!mode.equals("ret")) {
                b.preHandler(c -> sink[0] += c.register("di") + c.register("si"));
            }
            if (!mode.equals("entry")) {
                b.returnHandler(c -> sink[0] += c.returnValue());
            }
            t.register(b.build());
            t.run();
        }
        return nsPerCall(out);
    }

    static double cli(String engine, List<String> defs, Path bin, Path out) throws Exception {
        List<String> args = new ArrayList<>(List.of("trace", "--engine", engine, "-o", "/dev/null"));
        args.addAll(defs);
        args.addAll(List.of("--", "/bin/sh", "-c", "exec \"$0\" " + N + " >" + out, bin.toString()));
        Cli.run(args.toArray(String[]::new));
        return nsPerCall(out);
    }
}
