package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inline engine from Java: {@code Tracer.engine(Engine.INLINE)} runs the definitions' probes
 * ({@link EventProbes}) inline and their sinks get what the trap engine gives; a probe the planner refuses,
 * or one whose handler changes the thread, keeps the trap engine, says why and still works; a detach
 * puts the program's bytes back.
 */
@Timeout(120)
@Tag("integration")
class InlineApiTest {

    static ProbeDefinition definition(String line) {
        return (ProbeDefinition) Parser.extended().parseLine(line).orElseThrow();
    }

    /**
     * What one run gave: each thread's events in the order they came (time and CPU aside), each probe's
     * engine, the status, the diagnostics.
     */
    private record Run(List<String> threads, List<String> engines, int status, String stderr) {
    }

    /** Runs {@code command} (address space randomisation off, so that addresses agree) with {@code definitions}. */
    private static Run run(Engine engine, Path out, List<String> definitions, String... command) throws Exception {
        Map<Integer, List<ProbeEvent>> byThread = new LinkedHashMap<>();
        List<String> command2 = new ArrayList<>(List.of("setarch", "-R"));
        command2.addAll(List.of(command));
        List<Probe> probes = new ArrayList<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (Tracer t = withStderr(err, () -> Tracer.launch(Launch.of(command2).withStdout(out)).engine(engine))) {
            for (String d : definitions) {
                probes.add(t.register(EventProbes.of(definition(d), EventSink.of(e ->
                        byThread.computeIfAbsent(e.tid(), k -> new ArrayList<>()).add(e)), "")));
            }
            status = t.run();
        }
        List<String> threads = new ArrayList<>(byThread.values().stream().map(l -> String.join("\n", l.stream()
                .map(InlineApiTest::view).toList())).toList());
        threads.sort(null);
        return new Run(threads, probes.stream().map(p -> p.engine() + p.whyNotInline().map(w -> ": " + w).orElse("")).toList(),
                status, err.toString(StandardCharsets.UTF_8));
    }

    /** A tracer made while standard error is {@code err}: its diagnostics go there. */
    static Tracer withStderr(ByteArrayOutputStream err, Supplier<Tracer> make) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return make.get();
        } finally {
            System.setErr(old);
        }
    }

    private static String view(ProbeEvent e) {
        String site = switch (e.site()) {
            case ProbeEvent.Site.Entry en -> Long.toHexString(en.probeAddress());
            case ProbeEvent.Site.Return r -> Long.toHexString(r.returnAddress()) + " <- " + Long.toHexString(r.functionAddress());
            default -> e.site().toString();
        };
        return e.comm() + " " + e.event() + ": (" + site + ") " + String.join(" ", e.args().stream()
                .map(a -> a.name() + "=" + new String(TraceText.value(a.value()), StandardCharsets.ISO_8859_1)).toList());
    }

    /**
     * {@code definitions} on each engine over {@code command}: every probe inline, with nothing said, and
     * each thread's events as the trap engine gives them, {@code events} in all; returns the inline run.
     */
    private static Run assertInlineGivesTheTrapEnginesEvents(Path out, List<String> definitions, int events, String... command)
            throws Exception {
        Run trap = run(Engine.TRAP, out, definitions, command);
        Run inline = run(Engine.INLINE, out, definitions, command);
        assertEquals(Collections.nCopies(definitions.size(), "INLINE"), inline.engines(), inline.stderr());
        assertEquals(events, String.join("\n", trap.threads()).lines().count());
        assertEquals(trap.threads(), inline.threads());
        assertEquals(trap.status(), inline.status());
        assertEquals("", inline.stderr(), "no line: nothing fell back");
        return inline;
    }

    @Test
    void inlineGivesTheTrapEnginesEventsWithArgumentsReturnsAndThreads() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path calls = Fixtures.compile("probe_calls.c");
        Path out = Files.createTempFile("inline_api", ".out");
        try {
            Run threads = assertInlineGivesTheTrapEnginesEvents(out, List.of("p:work " + bin + ":work idx=%di:s64 j=%si:s64 name=$comm",
                    "r:workr " + bin + ":work rv=$retval:s64"), 4 * 10 * 2, bin.toString(), "10");
            assertEquals(4, threads.threads().size(), "four threads hit the probes");

            Run recursion = assertInlineGivesTheTrapEnginesEvents(out, List.of("p:fact " + calls + ":fact n=%di:s64 s=+0($stack):x64",
                    "r:factr " + calls + ":fact rv=$retval:s64"), 10, calls.toString(), "3");
            assertEquals(7, recursion.status());
            assertEquals("sum 9 fact 120\n", Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aProbeThePlannerRefusesRunsOnTheTrapEngineSaysWhyAndDelivers() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        Path out = Files.createTempFile("inline_api", ".out");
        try {
            // add is 4 bytes long: no room for the jump
            List<String> defs = List.of("p:add " + bin + ":add a=%di:s32 b=%si:s32", "p:fact " + bin + ":fact n=%di:s64");
            Run trap = run(Engine.TRAP, out, defs, bin.toString(), "4");
            Run inline = run(Engine.INLINE, out, defs, bin.toString(), "4");
            String why = "no room for the jump: the ret at +0x3 ends the run before 5 bytes: what follows it is reached only by jumps";
            assertEquals(List.of("TRAP: " + why, "INLINE"), inline.engines());
            assertEquals("probe4j: uprobes/add runs on the trap engine: " + why + "\n", inline.stderr());
            assertEquals(List.of("TRAP: " + EnginePlan.TRACER_TRAPS, "TRAP: " + EnginePlan.TRACER_TRAPS), trap.engines());
            assertEquals(4 + 5, String.join("\n", trap.threads()).lines().count());
            assertEquals(trap.threads(), inline.threads());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aHandlerThatChangesRegistersKeepsTheTrapEngineAndSoDoesEveryProbeAtItsAddress() throws Exception {
        Path bin = Fixtures.compile("probe_retval.c");
        Path out = Files.createTempFile("inline_api", ".out");
        List<String> seen = new ArrayList<>();
        try (Tracer t = Tracer.launch(Launch.of(bin.toString(), "2").withStdout(out)).engine(Engine.INLINE)) {
            Probe writer = t.register(ProbeInfo.symbol(bin, "check").preHandler(c -> c.setRegister("di", 1000)).build());
            Probe recorder = t.register(EventProbes.of(definition("p:chk " + bin + ":check x=%di:s64"),
                    EventSink.of(e -> seen.add(view(e).replaceAll("\\(\\p{XDigit}+\\)", "(ADDR)"))), ""));
            assertEquals(0, t.run());
            assertEquals(Engine.TRAP, writer.engine());
            assertTrue(writer.whyNotInline().orElseThrow().startsWith("its handlers run while the thread is stopped"),
                    writer.whyNotInline().toString());
            assertEquals(Engine.TRAP, recorder.engine());
            assertTrue(recorder.whyNotInline().orElseThrow().startsWith("another probe at its address runs on the trap engine"),
                    recorder.whyNotInline().toString());
            assertEquals("check(0) = 1\ncheck(1) = 1\n", Files.readString(out), "the handler changed the argument");
            String comm = bin.getFileName().toString();
            assertEquals(List.of(comm + " chk: (ADDR) x=1000", comm + " chk: (ADDR) x=1000"), seen,
                    "the recorder, after the handler at the shared breakpoint, saw the change");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Two probes of one definition (one name) at one address: both inline, each sink gets every event
     * under the definition's name; a sink that throws is reported and the other goes on.
     */
    @Test
    void twoProbesOfOneDefinitionEachGetEveryEventAndAFailingSinkHarmsNoOther() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        List<String> first = new ArrayList<>(), second = new ArrayList<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProbeDefinition d = definition("p:fact " + bin + ":fact n=%di:s64");
        try (Tracer t = withStderr(err, () -> Tracer.launch(Launch.of(bin.toString(), "1").withStdout(Path.of("/dev/null")))
                .engine(Engine.INLINE))) {
            Probe a = t.register(EventProbes.of(d, EventSink.of(e -> {
                first.add(e.event() + " " + view(e).substring(view(e).indexOf(") ") + 2));
                if (first.size() == 2) {
                    throw new IllegalStateException("sink boom");
                }
            }), ""));
            Probe b = t.register(EventProbes.of(d, EventSink.of(e -> second.add(e.event() + " " + view(e).substring(view(e).indexOf(") ") + 2))), ""));
            assertEquals(7, t.run());
            assertEquals(List.of(Engine.INLINE, Engine.INLINE), List.of(a.engine(), b.engine()));
        }
        List<String> expected = List.of("fact n=5", "fact n=4", "fact n=3", "fact n=2", "fact n=1");
        assertEquals(expected, first);
        assertEquals(expected, second);
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("probe4j: the event sink of probe fact in ")
                && l.endsWith(" failed: java.lang.IllegalStateException: sink boom")).count(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void detachPutsTheProgramsBytesBackAndItRunsOn() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path out = Files.createTempFile("inline_api", ".out");
        // with 1 ms pauses: ten seconds or more, so that the detach comes before the end even on a loaded
        // machine (CI once took over two seconds from the start to the detach; here it takes 0.4)
        long rounds = 10_000;
        List<ProbeEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Tracer t = Tracer.launch(Launch.of(bin.toString(), Long.toString(rounds), "1000").withStdout(out))
                .engine(Engine.INLINE)) {
            Probe p = t.register(EventProbes.of(definition("p:work " + bin + ":work idx=%di:s64"), EventSink.of(events::add), ""));
            t.start();
            assertEquals(Engine.INLINE, p.engine());
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(!events.isEmpty(), "events arrive while the program runs");
            long at = ((ProbeEvent.Site.Entry) events.getFirst().site()).probeAddress();
            byte[] original = Arrays.copyOfRange(Files.readAllBytes(bin), (int) p.fileOffset(), (int) p.fileOffset() + 16);
            int pid = t.pid();
            try (ProcessMemory m = new ProcessMemory(pid)) {
                assertEquals((byte) 0xe9, m.readForced(at, 1)[0], "the site holds the inline engine's jump");
            }
            UserException onJump = assertThrows(UserException.class, () -> t.register(ProbeInfo.symbol(bin, "work").build()));
            assertTrue(onJump.getMessage().endsWith("holds an inline probe's jump: a probe there can only be registered "
                    + "before the tracer starts"), onJump.getMessage());
            List<ProbeEvent> sleeps = new java.util.concurrent.CopyOnWriteArrayList<>();
            Probe late = t.register(EventProbes.of(definition("p:sleep libc:usleep us=%di:u64"), EventSink.of(sleeps::add), ""));
            assertEquals(Engine.TRAP, late.engine());
            assertEquals(EnginePlan.AFTER_START, late.whyNotInline().orElseThrow());
            while (sleeps.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(!sleeps.isEmpty(), "a probe registered after the start records on the trap engine");
            assertEquals("", Files.readString(out), "the program is still running at the detach");
            t.detach();
            int seen = events.size();
            try (ProcessMemory m = new ProcessMemory(pid)) {
                assertArrayEquals(original, m.readForced(at, original.length), "the file's bytes are back");
            }
            String expected = "total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n";
            while (!Files.readString(out).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(expected, Files.readString(out), "the program finished as without tracing");
            assertTrue(seen < 4 * rounds, "detached before the end: " + seen);
            assertEquals(seen, events.size(), "no event after the detach");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void unregisteringTheLastInlineProbeAtAnAddressPutsTheProgramsBytesBackWhileItRuns() throws Exception {
        Path bin = Fixtures.compile("probe_threads.c", "-pthread");
        Path out = Files.createTempFile("inline_unregister", ".out");
        long rounds = 6000; // with 1 ms pauses: six seconds or more
        List<ProbeEvent> first = new java.util.concurrent.CopyOnWriteArrayList<>(), second = new java.util.concurrent.CopyOnWriteArrayList<>(),
                returns = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicLong trapped = new java.util.concurrent.atomic.AtomicLong();
        try (Tracer t = Tracer.launch(Launch.of(bin.toString(), Long.toString(rounds), "1000").withStdout(out))
                .engine(Engine.INLINE)) {
            // three probes chained at one jump: two entries and a return (its return addresses swapped)
            Probe a = t.register(EventProbes.of(definition("p:work1 " + bin + ":work idx=%di:s64"), EventSink.of(first::add), ""));
            Probe b = t.register(EventProbes.of(definition("p:work2 " + bin + ":work idx=%di:s64"), EventSink.of(second::add), ""));
            Probe r = t.register(EventProbes.of(definition("r:work3 " + bin + ":work rv=$retval:s64"), EventSink.of(returns::add), ""));
            t.start();
            assertEquals(List.of(Engine.INLINE, Engine.INLINE, Engine.INLINE), List.of(a.engine(), b.engine(), r.engine()));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((first.isEmpty() || second.isEmpty() || returns.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(!first.isEmpty() && !second.isEmpty() && !returns.isEmpty(), "events of the three arrive");
            long at = ((ProbeEvent.Site.Entry) first.getFirst().site()).probeAddress();
            byte[] original = Arrays.copyOfRange(Files.readAllBytes(bin), (int) a.fileOffset(), (int) a.fileOffset() + 16);
            int pid = t.pid();

            a.unregister();
            Thread.sleep(200);
            int firstSeen = first.size(), secondSeen = second.size();
            Thread.sleep(500);
            assertEquals(firstSeen, first.size(), "no event of an unregistered probe");
            assertTrue(second.size() > secondSeen, "the other probes at the address go on");
            try (ProcessMemory m = new ProcessMemory(pid)) {
                assertEquals((byte) 0xe9, m.readForced(at, 1)[0], "the jump stays while a probe at its address is registered");
            }

            b.unregister();
            r.unregister();
            try (ProcessMemory m = new ProcessMemory(pid)) {
                assertArrayEquals(original, m.readForced(at, original.length), "the file's bytes are back, the program running");
            }
            Thread.sleep(200);
            secondSeen = second.size();
            int returnsSeen = returns.size();
            Probe again = t.register(ProbeInfo.symbol(bin, "work").preHandler(c -> trapped.incrementAndGet()).build());
            assertEquals(Engine.TRAP, again.engine());
            while (trapped.get() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(trapped.get() >= 20, "a probe registered at the address afterwards runs on the trap engine: " + trapped);
            assertEquals("", Files.readString(out), "the program is still running");
            assertEquals(3, t.waitFor(), "the program's exit status");
            assertEquals(secondSeen, second.size(), "no event after the unregister");
            assertEquals(returnsSeen, returns.size(), "no return event after the unregister");
        }
        try {
            assertEquals("total " + (4 * (rounds * (rounds - 1) / 2) + 1000 * rounds * 6) + "\n", Files.readString(out),
                    "the program's output, as without tracing");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
