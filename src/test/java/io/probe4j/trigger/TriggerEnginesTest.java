package io.probe4j.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Cli;
import io.probe4j.testing.Kernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Both engines carry out the same triggers on the same hits: the fixture's calls are deterministic, so the trap
 * engine and the kernel engine must print the same events (but for the task, time and addresses) and the same
 * hist tables, for triggers that switch tracing, events and hists on and off.
 */
@Kernel
class TriggerEnginesTest {
    private static final Pattern LINE = Pattern.compile("^.{16}-\\d+\\s+\\[\\d{3}\\] .{5}\\s+\\d+\\.\\d{6}: (\\w+): \\(0x[^)]*\\)(.*)$");

    private static final List<String> TRIGGERS = List.of(
            "rec: hist:keys=name,v8:vals=v,small:sort=name,v8", "rec: hist:keys=v.log2:vals=vu", "rec: hist:keys=small.buckets=32:sort=small",
            "rec: hist:keys=seq:size=128", "rec: hist:keys=name:vals=small.percent,v16.graph if small > 100",
            "ret: traceoff:4 if rv < 0", "rec: traceon:20 if small > 200", "ret: enable_event:histo:rec2:3 if rv < 0",
            "rec2: disable_event:histo:rec2 if seq > 100", "ret: hist:keys=rv.log2:sort=rv.descending",
            "rec: disable_hist:histo:ret:1 if seq == 150");

    @Test
    void theTrapEngineAndTheKernelEngineAgreeOnEventsAndTables() {
        String trap = run("trap");
        String kernel = run("kernel");
        Map<String, List<String>> trapLines = events(trap);
        assertTrue(trapLines.get("rec").size() > 20 && trapLines.get("rec").size() < 240, "traceoff and traceon: " + trapLines.get("rec").size());
        assertTrue(trapLines.containsKey("rec2"), "rec2 was enabled: " + trapLines.keySet());
        assertEquals(events(kernel), trapLines);
        String trapHists = hists(trap);
        assertTrue(trapHists.contains("Dropped: 112") && trapHists.contains("    Hits: 240\n"), trapHists);
        assertEquals(hists(kernel), trapHists);
    }

    private static String run(String engine) {
        List<String> args = new ArrayList<>(List.of("trace", "--engine", engine));
        args.addAll(HistCases.definitions());
        for (String t : TRIGGERS) {
            args.addAll(List.of("--trigger", t));
        }
        args.addAll(List.of("--", HistCases.fixture().toString()));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), engine + ": " + r.err());
        return r.out();
    }

    /** Each event's lines, without task, CPU, flags, time and address. */
    private static Map<String, List<String>> events(String out) {
        Map<String, List<String>> byEvent = new LinkedHashMap<>();
        for (String l : out.lines().toList()) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                byEvent.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
            }
        }
        return byEvent;
    }

    private static String hists(String out) {
        int at = out.indexOf("==> ");
        return at < 0 ? "" : out.substring(at);
    }
}
