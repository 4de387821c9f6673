package io.probe4j.engine.kernel;

import static io.probe4j.engine.kernel.KernelFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import io.probe4j.testing.Await;
import io.probe4j.testing.Kernel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session's life in tracefs: pid filtering, refusals, cleanup, leftovers of dead runs. */
@Kernel
class KernelSessionTest {

    static ResolvedProbe addProbe(Path bin) {
        return probe(false, "add", bin, "add", arg("a", "%di:s32", reg("di"), s(32)));
    }

    @Test
    void withACommandOnlyItsOwnHitsAreTracedWhileOthersHitTheSameProbe(@TempDir Path tmp) throws Exception {
        Path bin = args();
        Path started = tmp.resolve("started");
        Path go = tmp.resolve("go");
        CollectingSink sink = new CollectingSink();
        long[] outsider = new long[1];
        List<String> oracleLines;
        try (KernelTracer t = KernelTracer.start(List.of(addProbe(bin)), sink, System.err);
             OracleInstance oracle = new OracleInstance("kev-oracle-" + ProcessHandle.current().pid(), t.group(), List.of("add"))) {
            // the outsider runs while the command is traced and waits: the command calls add only after it
            Thread other = new Thread(() -> {
                try {
                    Await.until("the traced command to start", () -> Files.exists(started));
                    Process p = new ProcessBuilder(bin.toString(), "5").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    outsider[0] = p.pid();
                    p.waitFor();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    go.toFile().mkdir();
                }
            });
            other.start();
            int status = t.run(List.of("/bin/sh", "-c", "exec >/dev/null 2>&1; : >\"$1\"; while [ ! -e \"$2\" ]; do sleep 0.01; done;"
                    + " \"$0\" 2 3", bin.toString(), started.toString(), go.toString()));
            other.join();
            assertEquals(3, status);
            oracleLines = oracle.lines();
        }
        Set<Integer> tracedPids = sink.events.stream().map(ProbeEvent::pid).collect(Collectors.toSet());
        assertEquals(2, sink.events.size(), "the command's child called add twice: " + sink.events);
        assertFalse(tracedPids.contains((int) outsider[0]), "the outsider's hits are not ours");
        long outsiderHits = oracleLines.stream().filter(l -> l.contains("-" + outsider[0] + " ")).count();
        assertEquals(5, outsiderHits, "the kernel did record the outsider's 5 hits meanwhile:\n" + String.join("\n", oracleLines));
    }

    @Test
    void aDefinitionTheKernelRefusesShowsItsErrorLogEntryWithTheCaret() throws Exception {
        Path bin = args();
        ResolvedProbe bad = probe(false, "badreg", bin, "add", arg("arg1", "%rax", reg("rax"), x(64)));
        long before = countGroupsOf(ProcessHandle.current().pid());
        UserException e = assertThrows(UserException.class, () -> KernelTracer.start(List.of(addProbe(bin), bad), new CollectingSink(), System.err));
        String[] lines = e.getMessage().split("\n");
        assertTrue(lines[0].contains("kev/badreg"), e.getMessage());
        assertEquals("trace_uprobe: error: Invalid register name", lines[1]);
        assertTrue(lines[2].startsWith("  Command: p:probe4j_"), lines[2]);
        assertEquals(lines[2].indexOf("%rax"), lines[3].indexOf('^'), "caret under %rax:\n" + e.getMessage());
        assertEquals(1, e.exitCode());
        assertEquals(before, countGroupsOf(ProcessHandle.current().pid()), "the add event defined first was removed again");
    }

    @Test
    void anOffsetTheKernelWillNotProbeIsNamedWhenEnabling() throws Exception {
        Path bin = args();
        ResolvedProbe far = new ResolvedProbe(addProbe(bin).definition(), bin, Files.size(bin) + 0x10000, OptionalLong.empty());
        String group;
        try (KernelTracer t = KernelTracer.start(List.of(far), new CollectingSink(), System.err)) {
            group = t.group();
            UserException e = assertThrows(UserException.class, () -> t.run(List.of("/bin/true")));
            assertTrue(e.getMessage().contains("will not probe kev/add"), e.getMessage());
        }
        assertEquals(List.of(), tracefsObjectsNamed(group));
    }

    @Test
    void leftoversOfDeadRunsAreRemovedAndLiveOnesKept() throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        long dead = gone.pid();
        Process alive = new ProcessBuilder("sleep", "30").start();
        Path bin = args();
        try {
            for (long pid : new long[] {dead, alive.pid()}) {
                Files.createDirectory(TRACEFS.resolve("instances/probe4j-" + pid));
                Files.writeString(TRACEFS.resolve("uprobe_events"), "p:probe4j_" + pid + "/add " + bin + ":0x"
                        + Long.toHexString(fileOffset(bin, "add")) + "\n", java.nio.file.StandardOpenOption.APPEND);
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (KernelTracer t = KernelTracer.start(List.of(addProbe(bin)), new CollectingSink(), new PrintStream(err, true))) {
                assertEquals(List.of(), tracefsObjectsNamed("probe4j-" + dead));
                assertEquals(List.of(), tracefsObjectsNamed("probe4j_" + dead));
                assertEquals(2, tracefsObjectsNamed("probe4j-" + alive.pid()).size() + tracefsObjectsNamed("probe4j_" + alive.pid()).size());
            }
            assertTrue(err.toString().contains("dead probe4j run"), err.toString());
        } finally {
            alive.destroy();
            Files.deleteIfExists(TRACEFS.resolve("instances/probe4j-" + alive.pid()));
            EventsFile.uprobes(Tracefs.open()).remove("probe4j_" + alive.pid(), "add");
            Files.deleteIfExists(TRACEFS.resolve("instances/probe4j-" + dead));
            EventsFile.uprobes(Tracefs.open()).remove("probe4j_" + dead, "add");
        }
    }

    @Test
    void theProfileIsTheKernelsUprobeProfileForTheSameEvents() throws Exception {
        Path bin = args();
        List<ResolvedProbe> probes = List.of(addProbe(bin), probe(true, "greet", bin, "greet"));
        ProfileTable table = new ProfileTable();
        probes.forEach(p -> table.declare(p.definition().group(), p.definition().event(), p.file().toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String kernel;
        try (KernelTracer t = KernelTracer.start(probes, StreamSink.of(out, OutputFormat.PROFILE, table), System.err)) {
            t.run(List.of("/bin/sh", "-c", "exec >/dev/null 2>&1; exec \"$0\" 5", bin.toString()));
            kernel = Files.readAllLines(TRACEFS.resolve("uprobe_profile")).stream()
                    .filter(l -> l.startsWith("  " + bin + " ")).map(l -> l + "\n").collect(Collectors.joining());
        }
        assertEquals(kernel, out.toString());
        assertEquals(5, table.hits("kev", "greet"));
    }

    private static long countGroupsOf(long pid) throws Exception {
        return Files.readAllLines(TRACEFS.resolve("uprobe_events")).stream().filter(l -> l.contains(":probe4j_" + pid)).count();
    }

    @Test
    void aSessionUsesAnInstanceAndAGroupOfItsOwn() throws Exception {
        Path bin = args();
        try (KernelTracer t = KernelTracer.start(List.of(addProbe(bin)), new CollectingSink(), System.err)) {
            assertTrue(Files.isDirectory(TRACEFS.resolve("instances/" + t.instanceName())));
            assertTrue(t.group().startsWith("probe4j_" + ProcessHandle.current().pid()));
            assertEquals("0", Files.readString(TRACEFS.resolve("events/" + t.group() + "/add/enable")).trim(),
                    "never enabled in the global buffer");
            assertTrue(Files.readString(TRACEFS.resolve("instances/" + t.instanceName() + "/trace_clock")).contains("[mono]"));
        }
    }

}
