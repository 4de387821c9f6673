package io.probe4j.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.filter.EventFields;
import io.probe4j.spec.Errno;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.testing.Skip;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Triggers and hist triggers against the kernel that has them: Debian's 6.1 kernel in the kprobe VM
 * ({@code scripts/kprobe-vm}, one boot for the class; this machine's kernel has no hist triggers).
 * {@link HistVmMain} writes every case of {@link HistCases} to a live event's {@code trigger} file, and runs
 * the {@link HistScenarios} both in a kernel instance and through probe4j's command line (kernel engine) on
 * the same hits of the fixture. probe4j must answer each write as the kernel does (errno, {@code error_log}
 * entry, {@code trigger} file), print the kernel's hist files byte for byte, and print the events the
 * kernel records.
 */
@Tag("vm")
class HistVmTest {
    /** Seconds without a line from the VM, once its cases have begun, after which it is taken for hung. */
    private static final int SILENT_S = 150;
    private static final Pattern LINE = Pattern.compile("^.{16}-\\d+\\s+\\[\\d{3}\\] .{5}\\s+\\d+\\.\\d{6}: (\\w+): (.*)$");

    /** What the VM printed for one case: each write's result, the error_log, each event's trigger file lines. */
    private record Case(List<String> results, List<String> errorLog, Map<String, List<String>> triggerFiles) {
    }

    /** What the VM printed for one scenario. */
    private record Run(List<String> kernel, Map<String, List<String>> hists, List<String> probe4j, int status,
                       List<String> refused) {
    }

    private static final List<Case> cases = new ArrayList<>();
    private static final List<Run> runs = new ArrayList<>();
    private static List<HistScenarios> scenarios;
    private static String release;

    @BeforeAll
    static void bootTheHistKernelOnce() throws Exception {
        Path dir = Path.of("target/hist-vm").toAbsolutePath();
        Files.createDirectories(dir);
        List<String> plan = new ArrayList<>();
        HistCases.definitions().forEach(d -> plan.add("D\t" + d));
        for (List<String[]> c : HistCases.parseCases()) {
            for (int i = 0; i < c.size(); i++) {
                plan.add((i == 0 ? "C\t" : "M\t") + c.get(i)[0] + "\t" + c.get(i)[1]);
            }
        }
        scenarios = new ArrayList<>(histBatches());
        scenarios.addAll(HistScenarios.semantic());
        for (HistScenarios s : scenarios) {
            plan.add("S\t" + s.name() + "\t" + s.calls() + "\t" + (s.off() ? 1 : 0));
            s.filters().forEach(f -> plan.add("F\t" + f[0] + "\t" + f[1]));
            s.triggers().forEach(t -> plan.add("T\t" + t[0] + "\t" + t[1]));
        }
        Path planFile = dir.resolve("plan.txt");
        Files.write(planFile, plan, StandardCharsets.ISO_8859_1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of("scripts/kprobe-vm").toAbsolutePath().toString(),
                java + " -Xshare:auto -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "
                        + System.getProperty("java.class.path") + " " + HistVmMain.class.getName() + " " + planFile + " "
                        + HistCases.fixture());
        // 63 s on a quiet machine, 270 s at a load of 14 (the VM is emulated in software)
        pb.environment().put("PROBE4J_VM_TIMEOUT", "420");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        // Three times, in full suite runs, the 6.1 guest stopped answering in the middle of the trigger
        // writes (both vCPUs busy, no output for minutes, at the same write: case 184, a hist keyed on
        // common_timestamp.usecs), while the same plan passed alone in 63 s: the oracle was not there,
        // which is a skip with the place it stopped, not a verdict.
        // Once the cases have begun, the guest writes lines at each (seconds apart at a load of 14): a
        // silence of SILENT_S ends the run there, not the VM's whole timeout (7 minutes of a 15-minute
        // suite). Before, the VM may still be installed (qemu, a kernel: minutes, quietly) or booting.
        boolean silent = false;
        long size = -1, quietSince = System.nanoTime();
        while (!p.waitFor(1, TimeUnit.SECONDS)) {
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(480)) { // the VM's own timeout is 420 s
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("the VM did not finish in 480 s; see " + out);
            }
            long now = Files.exists(out) ? Files.size(out) : 0;
            if (now != size) {
                size = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(SILENT_S)
                    && Files.readString(out, StandardCharsets.ISO_8859_1).contains("@@ CASE ")) {
                silent = true;
                p.descendants().forEach(ProcessHandle::destroyForcibly); // qemu, under the script
                p.destroyForcibly();
                p.waitFor();
                break;
            }
        }
        String all = Files.readString(out, StandardCharsets.ISO_8859_1);
        Skip.VM.unless(silent || p.exitValue() != 77, "no kprobe VM: " + all.strip());
        Skip.VM.unless(!silent && !all.contains("124 is the timeout"), "the kprobe VM's 6.1 kernel stopped responding after "
                + all.lines().filter(l -> l.startsWith("@@ ")).reduce((a, b) -> b).orElse("boot")
                + (silent ? " (no output for " + SILENT_S + " s)" : "") + " (see " + out + ")");
        assertEquals(0, p.exitValue(), all);
        assertTrue(all.contains("@@ DONE"), "the VM run did not finish:\n" + all);
        parse(all.lines().toList());
        System.out.printf("hist VM test: kernel %s, %d cases of trigger writes, %d traces, %.1f s (boot included)%n", release,
                cases.size(), runs.size(), (System.nanoTime() - start) / 1e9);
    }

    /** The valid hist triggers of the corpus, as few traces as the kernel allows (no two alike on one event). */
    private static List<HistScenarios> histBatches() {
        List<HistScenarios> out = new ArrayList<>();
        List<String> pending = new ArrayList<>(HistCases.VALID_HISTS);
        int n = 0;
        while (!pending.isEmpty()) {
            Triggers t = triggers();
            List<String> batch = new ArrayList<>();
            for (String h : List.copyOf(pending)) {
                try {
                    t.write("histo", "rec", h);
                    batch.add(h);
                    pending.remove(h);
                } catch (TriggerException e) {
                    // alike to one in this batch: the next batch
                }
                if (batch.size() == 24) {
                    break;
                }
            }
            List<String> pairs = new ArrayList<>();
            batch.forEach(h -> {
                pairs.add("rec");
                pairs.add(h);
            });
            out.add(HistScenarios.of("hist batch " + ++n, 240, true, pairs.toArray(String[]::new)));
        }
        return out;
    }

    /** probe4j's triggers over the fixture's events. */
    static Triggers triggers() {
        Triggers t = new Triggers();
        for (String d : HistCases.definitions()) {
            ProbeDefinition def = (ProbeDefinition) Parser.extended().parseLine(d).orElseThrow();
            t.addEvent(def.group(), def.event(), EventFields.of(def));
        }
        return t;
    }

    private static void parse(List<String> lines) {
        Case c = null;
        List<String> kernel = null;
        Map<String, List<String>> hists = null;
        List<String> probe4j = null;
        List<String> refused = null;
        int status = -1;
        for (String l : lines) {
            if (l.startsWith("@@ RELEASE ")) {
                release = l.substring(11);
            } else if (l.startsWith("@@ CASE ")) {
                c = new Case(new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>());
                cases.add(c);
            } else if (l.startsWith("W ")) {
                c.results().add(l.substring(2));
            } else if (l.startsWith("E ")) {
                c.errorLog().add(l.substring(2));
            } else if (l.startsWith("T ")) {
                String[] f = l.substring(2).split("\t", 2);
                if (!f[1].startsWith("#")) {
                    c.triggerFiles().computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
                }
            } else if (l.startsWith("@@ SCENARIO ") || l.startsWith("@@ DONE")) {
                if (kernel != null) {
                    runs.add(new Run(kernel, hists, probe4j, status, refused));
                }
                kernel = new ArrayList<>();
                hists = new LinkedHashMap<>();
                probe4j = new ArrayList<>();
                refused = new ArrayList<>();
            } else if (l.startsWith("K ")) {
                kernel.add(l.substring(2));
            } else if (l.startsWith("H ")) {
                String[] f = l.substring(2).split("\t", 2);
                hists.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
            } else if (l.startsWith("P ")) {
                probe4j.add(l.substring(2));
            } else if (l.startsWith("X ")) {
                status = Integer.parseInt(l.substring(2));
            } else if (l.startsWith("ORACLE-REFUSED ")) {
                refused.add(l);
            }
        }
    }

    @Test
    void everyTriggerWriteIsAnsweredAsTheKernelAnswersIt() {
        List<List<String[]>> corpus = HistCases.parseCases();
        assertEquals(corpus.size(), cases.size());
        List<String> mismatches = new ArrayList<>();
        int logged = 0;
        int writes = 0;
        for (int i = 0; i < corpus.size(); i++) {
            Case k = cases.get(i);
            Triggers t = triggers();
            String ourLog = null;
            List<String> ours = new ArrayList<>();
            for (String[] w : corpus.get(i)) {
                writes++;
                ourLog = null;
                try {
                    t.write("histo", w[0], w[1]);
                    ours.add("OK");
                } catch (TriggerException e) {
                    ours.add(e.errno().map(Errno::description).orElse("unsupported"));
                    ourLog = e.errorLogEntry().orElse(null);
                }
            }
            String last = corpus.get(i).getLast()[1];
            String kernelLog = k.errorLog().size() >= 3 ? lastEntry(k.errorLog()) : null;
            if (kernelLog != null) {
                logged++;
            }
            Map<String, String> ourFiles = new LinkedHashMap<>();
            Map<String, String> kernelFiles = new LinkedHashMap<>();
            for (String e : List.of("rec", "ret", "rec2")) {
                ourFiles.put(e, t.triggerFile("histo", e));
                kernelFiles.put(e, k.triggerFiles().getOrDefault(e, List.of()).stream().map(l -> l + "\n").reduce("", String::concat));
            }
            if (!ours.equals(k.results())) {
                mismatches.add(last + ": kernel " + k.results() + ", probe4j " + ours + (ourLog == null ? "" : "\n" + ourLog));
            } else if (!java.util.Objects.equals(kernelLog, ourLog)) {
                mismatches.add(last + ": error_log\n  kernel:\n" + kernelLog + "\n  probe4j:\n" + ourLog);
            } else if (!kernelFiles.equals(ourFiles)) {
                mismatches.add(last + ": trigger files\n  kernel:  " + kernelFiles + "\n  probe4j: " + ourFiles);
            }
        }
        System.out.printf("trigger writes compared with kernel %s: %d in %d cases (%d with an error_log entry)%n", release,
                writes, corpus.size(), logged);
        assertEquals(List.of(), mismatches);
        assertTrue(logged >= 30, "error_log entries: " + logged);
    }

    /** The last entry of an error_log: message without the timestamp, command, caret. */
    private static String lastEntry(List<String> log) {
        int n = log.size();
        return log.get(n - 3).replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "") + "\n" + log.get(n - 2) + "\n" + log.get(n - 1);
    }

    @Test
    void theHistFilesAreTheKernelsByteForByte() {
        assertEquals(scenarios.size(), runs.size());
        List<String> mismatches = new ArrayList<>();
        int blocks = 0;
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            assertEquals(List.of(), r.refused(), scenarios.get(i).name());
            Map<String, String> ours = probe4jHists(r.probe4j());
            for (Map.Entry<String, List<String>> h : r.hists().entrySet()) {
                String kernel = h.getValue().stream().map(l -> l + "\n").reduce("", String::concat);
                if (kernel.isEmpty()) {
                    continue;
                }
                blocks += kernel.split("# event histogram", -1).length - 1;
                String mine = ours.getOrDefault(h.getKey(), "");
                if (!kernel.equals(mine)) {
                    mismatches.add(scenarios.get(i).name() + ", " + h.getKey() + ":\n" + firstDifference(kernel, mine));
                }
            }
            for (String e : ours.keySet()) {
                if (r.hists().getOrDefault(e, List.of()).isEmpty()) {
                    mismatches.add(scenarios.get(i).name() + ": probe4j printed a hist for " + e + ", the kernel has none");
                }
            }
        }
        System.out.printf("hist tables compared with kernel %s: %d, in %d traces%n", release, blocks, runs.size());
        assertEquals(List.of(), mismatches);
        assertTrue(blocks >= HistCases.VALID_HISTS.size(), "hist tables: " + blocks);
    }

    /** probe4j's {@code ==> histo/EVENT/hist <==} sections, by event. */
    private static Map<String, String> probe4jHists(List<String> output) {
        Map<String, String> out = new LinkedHashMap<>();
        String event = null;
        StringBuilder b = null;
        for (String l : output) {
            Matcher m = Pattern.compile("^==> histo/(\\w+)/hist <==$").matcher(l);
            if (m.matches()) {
                if (event != null) {
                    out.put(event, b.toString());
                }
                event = m.group(1);
                b = new StringBuilder();
            } else if (event != null) {
                b.append(l).append('\n');
            }
        }
        if (event != null) {
            out.put(event, b.toString());
        }
        // each section ends with the blank line probe4j puts after the file
        out.replaceAll((k, v) -> v.endsWith("\n\n") ? v.substring(0, v.length() - 1) : v);
        return out;
    }

    private static String firstDifference(String kernel, String ours) {
        String[] k = kernel.split("\n", -1);
        String[] o = ours.split("\n", -1);
        for (int i = 0; i < Math.max(k.length, o.length); i++) {
            String a = i < k.length ? k[i] : "(end)";
            String b = i < o.length ? o[i] : "(end)";
            if (!a.equals(b)) {
                return "  line " + (i + 1) + "\n  kernel:  " + a + "\n  probe4j: " + b;
            }
        }
        return "  (equal?)";
    }

    @Test
    void probe4jPrintsTheEventsTheKernelRecords() {
        List<String> mismatches = new ArrayList<>();
        int lines = 0;
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            assertEquals(0, r.status(), scenarios.get(i).name());
            Map<String, List<String>> kernel = byEvent(r.kernel());
            Map<String, List<String>> ours = byEvent(r.probe4j());
            lines += r.kernel().size();
            if (!kernel.equals(ours)) {
                mismatches.add(scenarios.get(i).name() + ": kernel " + counts(kernel) + ", probe4j " + counts(ours));
            }
        }
        System.out.printf("recorded events compared with kernel %s: %d lines in %d traces%n", release, lines, runs.size());
        assertEquals(List.of(), mismatches);
    }

    /** The lines of each event without task, CPU, flags and time (two probes record the same hit apart). */
    private static Map<String, List<String>> byEvent(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
            }
        }
        return out;
    }

    private static String counts(Map<String, List<String>> byEvent) {
        StringBuilder b = new StringBuilder("{");
        byEvent.forEach((e, l) -> b.append(' ').append(e).append('=').append(l.size())
                .append(l.isEmpty() ? "" : " first " + l.getFirst().replaceAll(" .*", "") + " last " + l.getLast().replaceFirst("^\\S+ ", "")));
        return b.append(" }").toString();
    }
}
