package io.probe4j.engine.kernel;

import static io.probe4j.engine.kernel.Kev.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import io.probe4j.spec.Fetch;
import io.probe4j.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The kernel is the oracle: every event probe4j prints must be byte for byte the line the kernel printed
 * for it, for every argument type, entry and return probes.
 */
@EnabledIf("io.probe4j.engine.kernel.Kev#kernelAvailable")
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
        long greeting = fileOffset(pie, "g_greeting");
        long greetingAddr = vaddr(nopie, "g_greeting");
        String abs = "@0x" + Long.toHexString(greetingAddr);
        probes = List.of(
                probe(false, "add", pie, "add",
                        arg("a", "%di:s32", reg("di"), s(32)), arg("b", "%si:s32", reg("si"), s(32)),
                        arg("u8", "%si:u8", reg("si"), u(8)), arg("u16", "%si:u16", reg("si"), u(16)),
                        arg("u32", "%si:u32", reg("si"), u(32)), arg("u64", "%si:u64", reg("si"), u(64)),
                        arg("x8", "%si:x8", reg("si"), x(8)), arg("x16", "%si:x16", reg("si"), x(16)),
                        arg("x32", "%si:x32", reg("si"), x(32)), arg("s8", "%si:s8", reg("si"), s(8)),
                        arg("s16", "%si:s16", reg("si"), s(16)), arg("s64", "%si:s64", reg("si"), s(64)),
                        arg("arg13", "%si", reg("si"), x(64)), arg("c", "%di:char", reg("di"), CHAR),
                        arg("im", "\\-5", new Fetch.Immediate(-5), x(64)), arg("imu", "\\0x10:u8", new Fetch.Immediate(16), u(8)),
                        arg("cm", "$comm", new Fetch.Comm(), STRING), arg("ims", "\\\"hi\"", new Fetch.ImmediateString("hi"), STRING),
                        arg("st", "$stack", new Fetch.StackPointer(), x(64)), arg("st1", "$stack1:x32", new Fetch.StackEntry(1), x(32)),
                        arg("fo", "@+0x" + Long.toHexString(greeting), new Fetch.FileMemory(greeting), x(64))),
                probe(true, "greet", pie, "greet",
                        arg("s", "+0($retval):string", deref(0, new Fetch.ReturnValue()), STRING),
                        arg("u", "+0($retval):ustring", deref(0, new Fetch.ReturnValue()), USTRING),
                        arg("rv", "$retval", new Fetch.ReturnValue(), x(64)),
                        arg("arr", "+0($retval):u8[3]", deref(0, new Fetch.ReturnValue()), array(u(8), 3)),
                        arg("ch", "+0($retval):char[5]", deref(0, new Fetch.ReturnValue()), array(CHAR, 5)),
                        arg("xa", "+0($retval):x16[2]", deref(0, new Fetch.ReturnValue()), array(x(16), 2)),
                        arg("sa", "+1($retval):s8[2]", deref(1, new Fetch.ReturnValue()), array(s(8), 2))),
                probe(false, "inspect", pie, "inspect",
                        arg("a", "+0(%di):b3@0/32", deref(0, reg("di")), bits(3, 0, 32)),
                        arg("b", "+0(%di):b5@3/32", deref(0, reg("di")), bits(5, 3, 32)),
                        arg("bb", "+0(%di):b5@3/8", deref(0, reg("di")), bits(5, 3, 8)),
                        arg("c", "+4(%di):s32", deref(4, reg("di")), s(32)),
                        arg("tag", "+8(%di):string", deref(8, reg("di")), STRING),
                        arg("tc", "+8(%di):char[6]", deref(8, reg("di")), array(CHAR, 6)),
                        arg("ps", "+16(%di):string[2]", deref(16, reg("di")), array(STRING, 2)),
                        arg("deep", "+0(+16(%di)):string", deref(0, deref(16, reg("di"))), STRING),
                        arg("sh", "+32(%di):u16[4]", deref(32, reg("di")), array(u(16), 4)),
                        arg("q", "+0(%si):string", deref(0, reg("si")), STRING),
                        arg("qa", "+0(%si):u8[2]", deref(0, reg("si")), array(u(8), 2))),
                probe(false, "absmem", nopie, "add",
                        arg("g", abs, new Fetch.AbsoluteMemory(greetingAddr), x(64)),
                        arg("gs", "+0(" + abs + "):string", deref(0, new Fetch.AbsoluteMemory(greetingAddr)), STRING)));
        String group;
        try (KernelTracer t = KernelTracer.start(probes, sink, System.err)) {
            group = t.group();
            t.onRawLine((line, e) -> raw.add(new String[] {line, new String(TraceText.line(e), StandardCharsets.ISO_8859_1)}));
            status = t.run(List.of("/bin/sh", "-c", "exec >/dev/null 2>&1; \"$0\" 1 && exec \"$1\" 4 7", nopie.toString(), pie.toString()));
        }
        leftover = tracefsObjectsNamed(group);
    }

    /** The kernel's line without the {@code (TGID)} column the session's instance records ({@code "(%7d) "}). */
    static String withoutTgid(String kernelLine) {
        return kernelLine.replaceFirst("^(.{16}-\\d+ +)\\( *\\d+\\) ", "$1");
    }

    @Test
    void everyEventIsPrintedExactlyAsTheKernelPrintedIt() {
        assertEquals(3 * 4 + 1, raw.size(), "add, greet, inspect: 4 rounds in the pie program; absmem: once in the no-pie one");
        for (String[] r : raw) {
            assertArrayEquals(withoutTgid(r[0]).getBytes(StandardCharsets.ISO_8859_1), r[1].getBytes(StandardCharsets.ISO_8859_1),
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
