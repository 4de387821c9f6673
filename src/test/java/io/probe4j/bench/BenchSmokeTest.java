package io.probe4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.probe4j.cli.Main;
import io.probe4j.testing.Skip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/run} works end to end: the smoke mode writes a report with every row of every table
 * (a figure or "not available: reason", never a missing row), and the script leaves nothing behind in
 * tracefs when it is stopped. No assertion on any figure: benchmarks are not tests.
 */
@Tag("integration")
class BenchSmokeTest {
    private static final Path SCRIPT = Path.of("bench/run").toAbsolutePath();
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    /** Overhead rows: tool label, first-instruction label, probe label (the table's first three cells). */
    private static final List<List<String>> OVERHEAD_ROWS = overheadRows();
    private static final List<String> STARTUP_ROWS = List.of("no tracer (`target startup` alone)",
            "bare JVM: `java -jar` of a class that does nothing (its own `main`)", "probe4j `--engine kernel`",
            "probe4j `--engine trap`", "bpftrace `count()`", "perf record (events go to perf.data)", "perf stat (counts the events)",
            "ltrace `-x target`", "gdb `dprintf` (2 args)");
    private static final List<String> QUICK_ROWS = List.of("probe4j `--help`", "bare JVM: `java -jar` of a class that prints one line");
    private static final List<String> ATTACH_ROWS = List.of(
            "trap engine, `-p` idle `sleep 600`, one libc function",
            "trap engine, `-p` idle `sleep 600`, every libc function (`libc:mem*`)",
            "trap engine, `-p` idle JVM, one libjvm function", "trap engine, `-p` idle JVM, 3 libjvm functions",
            "`--engine inline`, `-p` idle `sleep 600`, one libc function",
            "`--engine inline`, `-p` idle `sleep 600`, 3 libc functions it takes inline",
            "`--engine kernel`, `-- target startup`, one libc function",
            "`--engine kernel`, `-- target startup`, every libc function (`libc:mem*`)",
            "`--engine kernel`, every process (the idle JVM), one libjvm function",
            "`--engine kernel`, every process (the idle JVM), 3 libjvm functions");
    private static final List<String> TRACEFS_ROWS = List.of("3 events of one probe, disabled one at a time",
            "3 events of one probe, disabled by their group's `enable`", "3 events of one probe, disabled by removing the instance",
            "one event of 3 probes (defined in one write), disabled");
    private static final List<String> QUESTION_ROWS = List.of("no probe (plain call, ns per call)",
            "trap engine, every hit a line (`-o /dev/null`)", "trap engine, `--filter 'a < 0'` (rejects every hit)",
            "`--engine kernel`, `--filter 'a < 0'` (the kernel rejects)",
            "trap engine, `--tracing-off --trigger 'hist:keys=common_pid'` (a count)",
            "trap engine, `--tracing-off --trigger 'hist:keys=a.log2'`", "bpftrace `@ = count()`",
            "bpftrace `/(int32)arg0 < 0/ { @ = count() }` (rejects every hit)", "bpftrace `@ = hist(arg0)`");
    private static final List<String> SIGKILL_ROWS = List.of(
            "`ticker 1 0`: one thread calling the probed function in a tight loop (stopped at a hit most of the time)",
            "`ticker 2 1000`: two threads, each calling it about once a millisecond");
    private static final List<String> STACK_ROWS = List.of("no probe (plain call, ns per call)",
            "probe4j `--engine trap`, no stack (the reference)", "probe4j `--engine trap --ustack=16` (.eh_frame unwind, symbolized)",
            "probe4j `--engine trap --options userstacktrace` (the kernel's walk: frame pointers, 8 entries)",
            "probe4j `--engine kernel --options userstacktrace` (the kernel's walk)", "bpftrace `@[ustack(16)] = count()`",
            "perf record `--call-graph fp` (uprobe event)", "perf record `--call-graph dwarf` (uprobe event, 8 KB of stack a hit)");
    private static final List<String> THROUGHPUT_ROWS = List.of("text file", "json file", "text /dev/null", "json /dev/null");

    /** A measured cell ("1,234 (1,200–1,300)", "12.5", "×1.02"…) or an explained absence. */
    private static final Pattern FIGURE = Pattern.compile("×?-?[0-9][0-9,.]*( \\(-?[0-9][0-9,.]*–-?[0-9][0-9,.]*\\))?.*");
    private static final Pattern NOT_AVAILABLE = Pattern.compile("not available: \\S.*");

    @TempDir
    Path tmp;

    @Test
    void smokeRunWritesEveryRow() throws Exception {
        Path out = tmp.resolve("benchmarks.md");
        Path logFile = tmp.resolve("bench.log");
        Process p = bench(List.of("--smoke", "--out", out.toString()), logFile);
        // 235 s of the former 240 were used at load 12, with other builds running; CI runs the whole suite in under 5 minutes.
        assertTrue(p.waitFor(480, TimeUnit.SECONDS), "bench/run --smoke did not finish");
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        String report = Files.readString(out);
        assertTrue(log.contains(report), "the report is also printed");

        List<List<String>> overhead = table(report, "## Overhead per probe hit");
        assertEquals(OVERHEAD_ROWS.size(), overhead.size(), "overhead rows");
        for (int i = 0; i < OVERHEAD_ROWS.size(); i++) {
            List<String> row = overhead.get(i);
            assertEquals(OVERHEAD_ROWS.get(i), row.subList(0, 3), "overhead row " + i);
            assertMeasuredOrExplained(row.get(3), "overhead " + row);
        }
        List<List<String>> againstC = table(report, "### The trap engine against a minimal C ptrace tracer");
        assertEquals(List.of("entry `a=%di:s32 b=%si:s32`", "return `ret=%ax`", "entry + return (2 events a call)"),
                againstC.stream().map(List::getFirst).toList(), "trap engine vs C rows");
        for (List<String> row : againstC) {
            row.subList(1, row.size()).forEach(cell -> assertMeasuredOrExplained(cell, "trap engine vs C " + row));
        }
        assertRows(table(report, "## Start-up"), STARTUP_ROWS, "start-up");
        assertRows(table(report, "Commands that start and end at once"), QUICK_ROWS, "start-up, launch → exit");
        assertRows(table(report, "## Throughput"), THROUGHPUT_ROWS, "throughput");
        assertRows(table(report, "## Attach and detach"), ATTACH_ROWS, "attach");
        assertRows(table(report, "### What tracefs costs"), TRACEFS_ROWS, "tracefs");
        assertRows(table(report, "## Questions"), QUESTION_ROWS, "questions");
        assertRows(table(report, "## SIGKILL survival"), SIGKILL_ROWS, "sigkill");
        assertRows(table(report, "## User stacks"), STACK_ROWS, "user stacks");

        List<List<String>> inline = table(report, "## The inline engine");
        List<List<String>> inlineLabels = new ArrayList<>();
        for (String v : List.of("`nopl 0x0(%rax,%rax,1)` (5-byte nop)", "`mov bench_bias(%rip)` (RIP-relative)")) {
            for (String m : List.of("entry `a=%di:s32 b=%si:s32`", "return `ret=$retval:s32`", "entry + return (per hit: half the call)")) {
                inlineLabels.add(List.of(v, m));
            }
        }
        assertEquals(inlineLabels, inline.stream().map(r -> r.subList(0, 2)).toList(), "inline engine rows");
        for (List<String> row : inline) {
            row.subList(2, 5).forEach(cell -> assertMeasuredOrExplained(cell, "inline engine " + row));
        }

        List<List<String>> other = table(report, "The issue's other rows");
        assertEquals(List.of(
                List.of("`nopl` first, `target(const char *s, int b)` called with a 20-character string", "entry `s=+0(%di):string b=%si:s32`"),
                List.of("`nopl` first, 1 thread (CPU ns per call)", "entry `a=%di:s32 b=%si:s32`"),
                List.of("`nopl` first, 4 threads at once (CPU ns per call)", "entry `a=%di:s32 b=%si:s32`"),
                List.of("C, built with `-fpatchable-function-entry=5` (five 1-byte nops first)", "entry + return (per hit: half the call)"),
                List.of("`nopl` first, 300,000 calls: every record kept (the rings' first lap)", "entry `a=%di:s32 b=%si:s32`"),
                List.of("`nopl` first, 300,000 calls: every record kept, the rings written through once before",
                        "entry `a=%di:s32 b=%si:s32`")),
                other.stream().map(r -> r.subList(0, 2)).toList(), "the inline engine's other rows");
        for (List<String> row : other) {
            row.subList(2, 4).forEach(cell -> assertMeasuredOrExplained(cell, "inline engine, other rows " + row));
            if (!row.get(5).equals("–")) {
                assertMeasuredOrExplained(row.get(5), "inline engine, peer " + row);
            }
        }

        for (String section : List.of("## Machine", "## What could not be measured here, and why", "## Commands")) {
            assertTrue(report.contains(section), section);
        }
        assertTrue(report.contains("load average"), "the load during the run is recorded");
        assertNothingLeftInTracefs(p.pid());
    }

    @Test
    void stoppedRunRemovesItsTracefsEvents() throws Exception {
        Skip.unlessKernel();
        Path out = tmp.resolve("benchmarks.md");
        // a full run (not --smoke): its kernel runs last long enough to be caught with events defined
        Process p = bench(List.of("--no-install", "--rounds", "1", "--seconds", "1", "--out", out.toString()), tmp.resolve("bench.log"));
        String group = "p4jbench_" + p.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(TRACEFS.resolve("uprobe_events")).contains(group + "/")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("bench/run never defined its kernel events");
            }
            Thread.sleep(2);
        }
        p.destroy(); // SIGTERM, as from kill
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bench/run did not stop on SIGTERM");
        assertEquals(143, p.exitValue());
        assertNothingLeftInTracefs(p.pid());
        assertFalse(Files.exists(out), "a stopped run writes no report");
    }

    private static Process bench(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // the classes under test, not a jar that the launcher might rebuild in the middle of `mvn verify`
        pb.environment().put("PROBE4J", ProcessHandle.current().info().command().orElse("java")
                + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path") + " " + Main.class.getName());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    private static void assertNothingLeftInTracefs(long pid) throws IOException {
        if (!Files.isReadable(TRACEFS.resolve("uprobe_events"))) {
            return;
        }
        String events = Files.readString(TRACEFS.resolve("uprobe_events"));
        assertFalse(events.contains("p4jbench_" + pid + "/"), "events left in uprobe_events:\n" + events);
        assertFalse(Files.exists(TRACEFS.resolve("instances/p4jbench-" + pid)), "tracefs instance left behind");
    }

    private static void assertRows(List<List<String>> table, List<String> labels, String what) {
        assertEquals(labels, table.stream().map(List::getFirst).toList(), what + " rows");
        for (List<String> row : table) {
            assertMeasuredOrExplained(row.get(1), what + " " + row);
        }
    }

    private static void assertMeasuredOrExplained(String cell, String where) {
        assertTrue(FIGURE.matcher(cell).matches() || NOT_AVAILABLE.matcher(cell).matches(),
                where + ": neither a figure nor 'not available: reason': " + cell);
    }

    /** The body rows (cells trimmed) of the first Markdown table after a heading. */
    private static List<List<String>> table(String report, String heading) {
        int at = report.indexOf(heading);
        assertTrue(at >= 0, "no section " + heading);
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : report.substring(at).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                if (!line.startsWith("|---")) {
                    List<String> cells = new ArrayList<>();
                    for (String c : line.substring(1, line.length() - 1).split("\\|", -1)) {
                        cells.add(c.trim());
                    }
                    rows.add(cells);
                }
            } else if (inTable) {
                break;
            }
        }
        assertFalse(rows.isEmpty(), "no table under " + heading);
        return rows.subList(1, rows.size()); // without the header row
    }

    private static List<List<String>> overheadRows() {
        String plain = "`lea` (out of line)";
        String entry = "entry `a=%di:s32 b=%si:s32`";
        String ret = "return `ret=%ax`";
        String both = "entry + return (2 events a call)";
        String none = "no probe (plain call, ns per call)";
        String kernel = "kernel uprobe, tracefs instance, no reader";
        String p4j = "probe4j `--engine kernel`";
        String trap = "probe4j `--engine trap`";
        List<List<String>> rows = new ArrayList<>(List.of(
                List.of(none, plain, entry),
                List.of(kernel, plain, entry), List.of(kernel, plain, ret), List.of(kernel, plain, both),
                List.of("kernel uprobe + `cat trace_pipe` reader", plain, entry),
                List.of(p4j, plain, entry), List.of(p4j, plain, ret), List.of(p4j, plain, both),
                List.of(trap, plain, entry), List.of(trap, plain, ret), List.of(trap, plain, both)));
        for (String c : List.of("minimal C ptrace tracer, sleeping in waitpid",
                "minimal C ptrace tracer, polling first (as the trap engine)",
                "minimal C ptrace tracer, polling, reading TASK and CPU# (as the trap engine)")) {
            rows.addAll(List.of(List.of(c, plain, entry), List.of(c, plain, ret), List.of(c, plain, both)));
        }
        rows.addAll(List.of(
                List.of("bpftrace `count()`", plain, entry), List.of("perf record (uprobe event, 2 args)", plain, entry),
                List.of("ltrace `-x target`", plain, entry), List.of("gdb `dprintf` (2 args)", plain, entry)));
        for (String variant : List.of("`mov bench_bias(%rip)` (RIP-relative)", "`push %rbx` (emulated)",
                "`nopl 0x0(%rax,%rax,1)` (5-byte nop)")) {
            rows.add(List.of(none, variant, entry));
            rows.add(List.of(kernel, variant, entry));
            rows.add(List.of(p4j, variant, entry));
            rows.add(List.of(trap, variant, entry));
        }
        return rows;
    }
}
