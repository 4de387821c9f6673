package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code trace --engine inline --format binary -o FILE} then {@code report FILE}: the lines the trace prints
 * for the same fixture run (time and CPU aside, thread ids numbered by first appearance), with thread
 * names, several processes and a probe that falls back to the trap engine (its events are in the file).
 */
@Timeout(180)
@Tag("integration")
class InlineRecordingTest {

    private static void assertReportIsTrace(List<String> defs, List<String> command, int expectedEvents,
            Function<BothEngines.Run, String> view) throws Exception {
        BothEngines.Run traced = BothEngines.run("inline", defs, command);
        Path file = Files.createTempFile("probe4j-recording", ".bin");
        try {
            List<String> recordDefs = new ArrayList<>(List.of("--format", "binary", "-o", file.toString()));
            recordDefs.addAll(defs);
            BothEngines.Run recorded = BothEngines.run("inline", recordDefs, command);
            assertEquals(traced.status(), recorded.status(), recorded.err());
            assertEquals(traced.programOut(), recorded.programOut());
            assertEquals(List.of(), recorded.events(), "nothing printed while recording");
            Cli.Result report = Cli.run("report", file.toString());
            assertEquals(0, report.status(), report.err());
            assertEquals("", report.err());
            BothEngines.Run reported = new BothEngines.Run(recorded.status(), recorded.programOut(), BothEngines.normalize(report.out()),
                    report.err());
            assertEquals(expectedEvents, traced.events().size(), String.join("\n", traced.events()) + traced.err());
            assertEquals(view.apply(traced), view.apply(reported));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void entryReturnAndAFallback() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        assertReportIsTrace(List.of(
                "p:pi_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "p:pi_fact " + off(bin, "fact") + " n=%di:s64 s=+0($stack):x64",
                "r:pi_factr " + off(bin, "fact") + " rv=$retval:s64"), List.of(bin.toString(), "4"), 4 + 5 + 5,
                r -> String.join("\n", r.events()));
    }

    @Test
    void threadsAndTheirNames() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        assertReportIsTrace(List.of(
                "p:pi_work " + off(bin, "work") + " idx=%di:s64 j=%si:s64 name=$comm",
                "r:pi_workr " + off(bin, "work") + " rv=$retval:s64"), List.of(bin.toString(), "10"), 4 * 10 * 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)));
    }

    @Test
    void forkVforkAndExec() throws Exception {
        Path bin = Fixtures.compile("probe_forkexec.c");
        assertReportIsTrace(List.of(
                "p:pi_add " + off(bin, "add") + " a=%di:s32 b=%si:s32",
                "r:pi_addr " + off(bin, "add") + " rv=$retval:s32",
                "p:pi_forker " + off(bin, "forker") + " x=%di:s32",
                "r:pi_forkerr " + off(bin, "forker") + " rv=$retval:s32"), List.of(bin.toString()), 5 * 2 + 1 + 2,
                r -> String.join("\n---\n", ProbeProcessesTest.perThread(r)));
    }
}
