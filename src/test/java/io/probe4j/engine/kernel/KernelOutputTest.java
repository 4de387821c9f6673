package io.probe4j.engine.kernel;

import static io.probe4j.engine.kernel.KernelFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import io.probe4j.spec.Fetch;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel is the oracle: every event probe4j prints must be byte for byte the line the kernel printed
 * for it, for every argument type, entry and return probes.
 */
@Kernel
class KernelOutputTest {
    static Path pie;
    static Path nopie;
    static List<ResolvedProbe> probes;
    static final List<String[]> raw = new ArrayList<>(); // {kernel line, probe4j line}
    static CollectingSink sink = new CollectingSink();
    static int status;
    static List<String> leftover;

    @BeforeAll
    static void traceEveryType() throws Exception {
        pie = args();
        nopie = Fixtures.compileAs("kev_args_nopie", "kev_args.c", "-no-pie");
        long greetingAddr = vaddr(nopie, "g_greeting");
        String abs = "@0x" + Long.toHexString(greetingAddr);
        List<ResolvedProbe> all = new ArrayList<>(everyType(pie, false));
        all.add(probe(false, "absmem", nopie, "add",
                arg("g", abs, new Fetch.AbsoluteMemory(greetingAddr), x(64)),
                arg("gs", "+0(" + abs + "):string", deref(0, new Fetch.AbsoluteMemory(greetingAddr)), STRING)));
        probes = all;
        String group;
        try (KernelTracer t = KernelTracer.start(probes, sink, System.err)) {
            group = t.group();
            t.onRawLine((line, e) -> raw.add(new String[] {line, new String(TraceText.line(e), StandardCharsets.ISO_8859_1)}));
            status = t.run(List.of("/bin/sh", "-c", "exec >/dev/null 2>&1; \"$0\" 1 && exec \"$1\" 4 7", nopie.toString(), pie.toString()));
        }
        leftover = tracefsObjectsNamed(group);
    }

    /** The kernel's line without the {@code (TGID)} column the session's instance records ({@code "(%7d) "}). */
    /**
     * The kernel's line as probe4j reads it: without the {@code (TGID)} column that probe4j's instance
     * adds, and with the task name recorded at the hit (probe4j's hidden {@code $comm} argument, the
     * line's last) in the comm column instead of the kernel's print-time cache lookup.
     */
    static String asRecorded(String kernelLine) {
        String line = kernelLine.replaceFirst("^(.{16}-\\d+ +)\\( *(\\d+|-------)\\) ", "$1");
        Matcher m = Pattern.compile("^(.*) __probe4j_comm=\"(.*)\"$", Pattern.DOTALL).matcher(line);
        assertTrue(m.matches(), "no hidden comm argument: " + kernelLine);
        return String.format("%16s", m.group(2)) + m.group(1).substring(16);
    }

    @Test
    void everyEventIsPrintedExactlyAsTheKernelPrintedIt() {
        assertEquals(3 * 4 + 1, raw.size(), "add, greet, inspect: 4 rounds in the pie program; absmem: once in the no-pie one");
        for (String[] r : raw) {
            assertArrayEquals(asRecorded(r[0]).getBytes(StandardCharsets.ISO_8859_1), r[1].getBytes(StandardCharsets.ISO_8859_1),
                    "kernel:  " + r[0] + "\nprobe4j: " + r[1]);
        }
    }

    @Test
    void everyValueKindWasExercised() {
        Set<Class<?>> kinds = new HashSet<>();
        for (ProbeEvent e : sink.events) {
            for (ProbeEvent.Arg a : e.args()) {
                kinds.add(a.value().getClass());
                if (a.value() instanceof Value.Array arr) {
                    arr.elements().forEach(v -> kinds.add(v.getClass()));
                }
            }
        }
        assertEquals(Set.of(Value.Unsigned.class, Value.Signed.class, Value.Hex.class, Value.Char.class, Value.Text.class,
                Value.Fault.class, Value.Bits.class, Value.Array.class), kinds);
    }

    @Test
    void aStringHoldingAQuoteAndANameIsReadBackWhole() {
        List<ProbeEvent> greets = sink.named("greet");
        assertEquals(new Value.Text("wor ld\" x=y".getBytes(StandardCharsets.US_ASCII)), greets.get(1).args().get(0).value());
        assertEquals(new Value.Fault(), greets.get(2).args().get(0).value(), "pointer 0x8 faults");
        assertEquals(new Value.Text("two\nlines".getBytes(StandardCharsets.US_ASCII)), greets.get(3).args().get(0).value(),
                "a string with a newline: its trace line spans two lines of trace_pipe");
    }

    @Test
    void returnProbesReportFunctionAndReturnAddress() {
        ProbeEvent greet = sink.named("greet").getFirst();
        ProbeEvent add = sink.named("add").getFirst();
        var site = (ProbeEvent.Site.Return) greet.site();
        long addAddress = ((ProbeEvent.Site.Entry) add.site()).probeAddress();
        assertEquals(addAddress - fileOffset(pie, "add") + fileOffset(pie, "greet"), site.functionAddress(),
                "greet's address is add's shifted by their distance in the file");
        assertTrue(site.returnAddress() > addAddress, "returns into main, after add");
    }

    @Test
    void eventsOfTheCommandsChildrenAreTracedToo() {
        Set<Integer> pids = new HashSet<>();
        sink.events.forEach(e -> pids.add(e.pid()));
        assertEquals(2, pids.size(), "the no-pie child and the exec'd pie program: " + pids);
        sink.events.forEach(e -> assertEquals(e.pid(), e.tid()));
        // the name recorded at the hit, never the kernel's print-time cache ("<...>" or a stale name)
        sink.events.forEach(e -> assertTrue(e.comm().startsWith("kev_args"), e.comm()));
    }

    @Test
    void exitStatusIsTheCommands() {
        assertEquals(7, status);
    }

    @Test
    void nothingIsLeftInTracefs() {
        assertEquals(List.of(), leftover);
        assertTrue(sink.closed);
    }
}
