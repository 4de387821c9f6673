package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code probe4j trace --trigger} and friends on the trap engine: what a user sees on the command line. */
@Tag("integration")
class TriggerOptionsTest {
    private static String rec;

    @BeforeAll
    static void fixture() {
        Path bin = Fixtures.compile("hist_fields.c");
        rec = "p:rec " + bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "record")) + " seq=%di:u32 v=%si:s64 small=%cx:u8";
    }

    private static Cli.Result trace(String calls, String... options) {
        List<String> args = new ArrayList<>(List.of("trace", rec));
        args.addAll(List.of(options));
        args.addAll(List.of("--", Fixtures.compile("hist_fields.c").toString(), calls));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aTriggerTheKernelRefusesStopsProbe4jWithTheKernelsErrorLogEntry() {
        Cli.Result r = trace("10", "--trigger", "rec: hist:keys=small:sort=nosuch");
        assertEquals(2, r.status());
        assertEquals("""
                probe4j trace: bad trigger for event rec:
                hist:uprobes:rec: error: Sort field must be a key or a val
                  Command: hist:keys=small:sort=nosuch
                                                ^
                """, r.err());
        assertTrue(r.out().isEmpty(), "nothing traced: " + r.out());
        Cli.Result silent = trace("10", "--trigger", "rec: traceon:x");
        assertEquals(2, silent.status());
        assertTrue(silent.err().contains("'x' is neither a count nor 'if FILTER' (EINVAL, the kernel logs nothing)"), silent.err());
        Cli.Result noEvent = trace("10", "--trigger", "nosuch: traceoff");
        assertEquals(2, noEvent.status());
        assertTrue(noEvent.err().contains("no event named nosuch (the events: rec)"), noEvent.err());
    }

    @Test
    void tracingOffPrintsOnlyTheHistAtTheEnd() {
        Cli.Result r = trace("100", "--tracing-off", "--trigger", "rec: hist:keys=small.buckets=64:sort=small");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().lines().noneMatch(l -> l.contains(" rec: (")), r.out());
        assertTrue(r.out().contains("==> uprobes/rec/hist <==\n# event histogram\n#\n# trigger info: hist:keys=small.buckets=64")
                && r.out().contains("    Hits: 100\n"), r.out());
    }

    @Test
    void traceoffStopsThePrintingAndTheTableStillCountsEveryHit() {
        Cli.Result r = trace("50", "--trigger", "rec: traceoff if seq == 9", "--trigger", "rec: hist:keys=seq.buckets=10");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.contains(" rec: (")).toList();
        assertEquals(10, lines.size(), r.out());
        assertTrue(lines.getLast().contains(" seq=9 "), lines.getLast());
        assertTrue(r.out().contains("    Hits: 50\n    Entries: 5\n"), r.out());
    }

    @Test
    void barsAndJsonAreOtherFormsOfTheSameTable() {
        Cli.Result bars = trace("100", "--tracing-off", "--hist-format", "bars", "--trigger", "rec: hist:keys=v.log2");
        assertEquals(0, bars.status(), bars.err());
        assertTrue(bars.out().contains("@uprobes/rec:\n") && bars.out().matches("(?s).*\\n\\(\\S+, \\S+\\] +\\d+ \\|@+ *\\|\\n.*"), bars.out());
        Cli.Result json = trace("100", "--format", "json", "--trigger", "rec: hist:keys=small.buckets=128");
        assertEquals(0, json.status(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(101, lines.size(), json.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> hist = (Map<String, Object>) MiniJson.parse(lines.getLast());
        assertEquals("uprobes", hist.get("group"));
        assertEquals("rec", hist.get("event"));
        assertTrue(((String) hist.get("hist")).startsWith("==> uprobes/rec/hist <==\n# event histogram\n"), lines.getLast());
    }

    @Test
    void intervalPrintsTheTablesWhileTheProgramRuns() {
        Cli.Result r = trace("60000", "--tracing-off", "--interval", "0.1", "--trigger", "rec: hist:keys=small.buckets=128");
        assertEquals(0, r.status(), r.err());
        List<String> hits = r.out().lines().filter(l -> l.startsWith("    Hits: ")).toList();
        assertTrue(hits.size() >= 2, r.out());
        assertEquals("    Hits: 60000", hits.getLast());
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(Long.parseLong(hits.get(i - 1).substring(10)) <= Long.parseLong(hits.get(i).substring(10)), hits.toString());
        }
    }
}
