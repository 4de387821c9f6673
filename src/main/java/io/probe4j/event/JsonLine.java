package io.probe4j.event;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import io.probe4j.unwind.Frame;

/**
 * One event as one JSON object on one line, with typed fields:
 * <pre>
 * {"comm":"t","pid":42,"tid":42,"cpu":1,"flags":"DBZff","timestamp_ns":628077852000,
 *  "group":"uprobes","event":"add","probe":"entry","ip":"0x5609079f5149",
 *  "args":{"a":0,"b":-2,"x":"0xfe","c":"t","s":"hello","f":null,"arr":[1,2]}}
 * </pre>
 * Return probes carry {@code "probe":"return","func":"0x...","ret_ip":"0x..."} instead of {@code ip}.
 * Kprobes carry the kernel's symbolized text in the same fields ({@code "ip":"vfs_read+0x0/0x310"},
 * {@code "func":"ksys_read","ret_ip":"do_syscall_64+0x5d/0xb0"}); a {@code symbol} value is a string
 * as the text prints it.
 * Values: {@code u*}, {@code s*} and bitfields are JSON numbers (exact, also above 2^53); {@code x*}
 * and addresses are strings {@code "0x..."} as the text prints them; {@code char} a one-character
 * string; a string, and the task's name, is decoded as UTF-8 (invalid bytes become U+FFFD); {@code (fault)} is {@code null};
 * arrays are arrays.
 */
public final class JsonLine {
    private JsonLine() {
    }

    /** The JSON object for {@code e}, without the newline. */
    public static String line(ProbeEvent e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"comm\":");
        string(b, e.commText());
        b.append(",\"pid\":").append(e.pid()).append(",\"tid\":").append(e.tid())
                .append(",\"cpu\":").append(e.cpu()).append(",\"flags\":");
        string(b, e.flags());
        b.append(",\"timestamp_ns\":").append(e.timestampNs()).append(",\"group\":");
        string(b, e.group());
        b.append(",\"event\":");
        string(b, e.event());
        switch (e.site()) {
            case ProbeEvent.Site.Entry en -> b.append(",\"probe\":\"entry\",\"ip\":\"").append(TraceText.hex(en.probeAddress())).append('"');
            case ProbeEvent.Site.Return r -> b.append(",\"probe\":\"return\",\"func\":\"").append(TraceText.hex(r.functionAddress()))
                    .append("\",\"ret_ip\":\"").append(TraceText.hex(r.returnAddress())).append('"');
            case ProbeEvent.Site.KernelEntry k -> {
                b.append(",\"probe\":\"entry\",\"ip\":");
                string(b, k.place());
            }
            case ProbeEvent.Site.KernelReturn k -> {
                b.append(",\"probe\":\"return\",\"func\":");
                string(b, k.function());
                b.append(",\"ret_ip\":");
                string(b, k.returnPlace());
            }
        }
        b.append(",\"args\":{");
        boolean first = true;
        for (ProbeEvent.Arg a : e.args()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, a.name());
            b.append(':');
            value(b, a.value());
        }
        b.append('}');
        stacks(b, e.stacks());
        return b.append('}').toString();
    }

    /**
     * {@code "user_stack":["/bin/prog[+0x1c6]","<00007ffff7fbf000>"]}: the kernel's lines, trimmed;
     * {@code "ustack":[{"address":"0x...","symbol":"level5","offset":28,"object":"/bin/prog","file_offset":"0x11c6"}]}
     * with {@code "ustack_stop"} saying why the walk ended. A frame without a symbol has {@code "symbol":null}.
     */
    private static void stacks(StringBuilder b, EventStacks stacks) {
        stacks.kernel().ifPresent(lines -> {
            b.append(",\"user_stack\":[");
            for (int i = 0; i < lines.size(); i++) {
                b.append(i > 0 ? "," : "");
                string(b, lines.get(i).trim());
            }
            b.append(']');
        });
        stacks.shownUnwound().ifPresent(stack -> {
            b.append(",\"ustack\":[");
            boolean first = true;
            for (Frame f : stack.frames()) {
                b.append(first ? "{" : ",{");
                first = false;
                b.append("\"address\":\"").append(TraceText.hex(f.address())).append("\",\"symbol\":");
                if (f.function().isPresent()) {
                    string(b, f.function().get());
                } else {
                    b.append("null");
                }
                b.append(",\"offset\":").append(f.offset()).append(",\"object\":");
                string(b, f.object());
                if (f.fileOffset() >= 0) {
                    b.append(",\"file_offset\":\"").append(TraceText.hex(f.fileOffset())).append('"');
                }
                b.append('}');
            }
            b.append("],\"ustack_stop\":");
            string(b, stack.stop().toString());
        });
    }

    private static void value(StringBuilder b, Value v) {
        switch (v) {
            case Value.Unsigned u -> b.append(Long.toUnsignedString(u.value()));
            case Value.Signed s -> b.append(s.value());
            case Value.Bits x -> b.append(Long.toUnsignedString(x.value()));
            case Value.Hex h -> b.append('"').append(TraceText.hex(h.value())).append('"');
            case Value.Char c -> string(b, String.valueOf((char) (c.value() & 0xff)));
            case Value.Text t -> string(b, utf8(t.raw()));
            case Value.Fault f -> b.append("null");
            case Value.KernelSymbol k -> string(b, k.text());
            case Value.Array a -> {
                b.append('[');
                for (int i = 0; i < a.elements().size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    value(b, a.elements().get(i));
                }
                b.append(']');
            }
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    /** A JSON string literal (RFC 8259 escapes). */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
