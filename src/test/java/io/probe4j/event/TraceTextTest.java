package io.probe4j.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text line's numbers at their edges, as the kernel's printf formats make them
 * ({@code "%16s-%-7d [%03d] %5s %5lu.%06lu: "}, {@code %lu}, {@code %ld}, {@code 0x%lx}): the formatter
 * computes the digits itself, so every width, sign and rounding is checked here against Java's printf
 * of the same format, and a sink's lines (which reuse the last line's context) against the lines one
 * by one.
 */
class TraceTextTest {

    static ProbeEvent event(String comm, int tid, int cpu, long ns, List<ProbeEvent.Arg> args) {
        return new ProbeEvent(comm, tid, tid, cpu, ProbeEvent.UPROBE_FLAGS, ns, "uprobes", "ev", new ProbeEvent.Site.Entry(0x55d0c0de1149L),
                args);
    }

    /** The context as printf makes it: what the kernel's print_trace_header() does with these fields. */
    static String printfContext(String comm, int tid, int cpu, long ns) {
        long usecs = (ns + 500) / 1000;
        // a task name is bytes, one char each (ProbeEvent.comm): printf pads it by bytes
        return String.format("%16s-%-7d [%03d] %5s %5d.%06d: ", comm, tid, cpu, ProbeEvent.UPROBE_FLAGS, usecs / 1_000_000, usecs % 1_000_000);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void contextAtTheEdgesOfEachWidth() {
        String[] comms = {"", "t", "sixteen-chars-ok", "a-comm-longer-than-16", "z\u00c3\u00a9" /* zé in UTF-8 */, "bad\u00ff\u00fe"};
        int[] tids = {0, 1, 1234567, 12345678, Integer.MAX_VALUE};
        int[] cpus = {0, 7, 99, 999, 1000, 4095};
        long[] times = {0, 499, 500, 999_999_499L, 999_999_500L, 99_999_999_999_499L, 100_000_000_000_000L,
            123_456_789_123_456_789L, Long.MAX_VALUE - 500};
        for (String comm : comms) {
            for (int tid : tids) {
                for (int cpu : cpus) {
                    for (long ns : times) {
                        assertEquals(printfContext(comm, tid, cpu, ns) + "ev: (0x55d0c0de1149)", text(TraceText.line(event(comm, tid, cpu, ns,
                                List.of()))), comm + " " + tid + " " + cpu + " " + ns);
                    }
                }
            }
        }
    }

    @Test
    void numbersAtTheirEdges() {
        long[] words = {0, 1, 9, 10, 99, 100, 0xf, 0x10, 999_999_999L, 1_000_000_000L, Integer.MAX_VALUE, 0xffffffffL,
            999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -10, 0x8000000000000000L + 1};
        for (long w : words) {
            assertEquals(Long.toUnsignedString(w), text(TraceText.value(new Value.Unsigned(w))), "u64 " + w);
            assertEquals(Long.toUnsignedString(w), text(TraceText.value(new Value.Bits(w))), "bits " + w);
            assertEquals(Long.toString(w), text(TraceText.value(new Value.Signed(w))), "s64 " + w);
            assertEquals(String.format("0x%x", w), text(TraceText.value(new Value.Hex(w))), "x64 " + w);
        }
        assertArrayEquals(new byte[] {'\'', 0, '\''}, TraceText.value(new Value.Char((byte) 0)));
        assertArrayEquals(new byte[] {'\'', (byte) 0xff, '\''}, TraceText.value(new Value.Char((byte) 0xff)));
        assertArrayEquals(new byte[] {'"', (byte) 0xc3, (byte) 0xa9, 'x', '"'}, TraceText.value(new Value.Text(new byte[] {(byte) 0xc3, (byte) 0xa9, 'x'})));
        assertEquals("{0x0,0xff}", text(TraceText.value(new Value.Array(List.of(new Value.Hex(0), new Value.Hex(255))))));
    }

    /** Threads and CPUs that change, microseconds shared and not: a sink's lines are the lines one by one. */
    @Test
    void aSinksLinesAreTheLinesOneByOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamSink sink = StreamSink.of(out, OutputFormat.TEXT, new ProfileTable());
        StringBuilder want = new StringBuilder(TraceText.HEADER);
        List<ProbeEvent> events = new ArrayList<>();
        long ns = 999_998_000L;
        for (int k = 0; k < 400; k++) {
            ns += (k % 5) * 300L;
            String comm = k % 7 == 0 ? "other" : "prog";
            events.add(event(comm, 40 + k % 3 / 2, k % 11 == 0 ? 3 : 1, ns, List.of(new ProbeEvent.Arg("k", new Value.Signed(k - 200)))));
        }
        for (ProbeEvent e : events) {
            sink.accept(e);
            want.append(text(TraceText.line(e))).append('\n');
        }
        sink.close();
        assertEquals(want.toString(), out.toString(StandardCharsets.ISO_8859_1));
    }
}
