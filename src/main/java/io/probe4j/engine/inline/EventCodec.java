package io.probe4j.engine.inline;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ProbeEvent} of the trap engine as bytes in a recording, and back (little-endian; strings as
 * a u32 length and UTF-8, values tagged by kind). Stacks are not kept: the inline engine's trace takes none.
 */
final class EventCodec {
    private static final int ENTRY = 0, RETURN = 1, KERNEL_ENTRY = 2, KERNEL_RETURN = 3;
    private static final int UNSIGNED = 0, SIGNED = 1, HEX = 2, CHAR = 3, TEXT = 4, FAULT = 5, BITS = 6, SYMBOL = 7, ARRAY = 8;
    /** Deeper arrays are damage: the language nests none. */
    private static final int MAX_DEPTH = 4;

    private EventCodec() {
    }

    /** Appends {@code e} to {@code out}, which grows as needed; returns it. */
    static ByteBuffer write(ByteBuffer out, ProbeEvent e) {
        out = string(out, e.comm());
        out = room(out, 12);
        out.putInt(e.pid()).putInt(e.tid()).putInt(e.cpu());
        out = string(out, e.flags());
        out = room(out, 8);
        out.putLong(e.timestampNs());
        out = string(out, e.group());
        out = string(out, e.event());
        out = room(out, 17);
        switch (e.site()) {
            case ProbeEvent.Site.Entry s -> out.put((byte) ENTRY).putLong(s.probeAddress());
            case ProbeEvent.Site.Return s -> out.put((byte) RETURN).putLong(s.functionAddress()).putLong(s.returnAddress());
            case ProbeEvent.Site.KernelEntry s -> out = string(out.put((byte) KERNEL_ENTRY), s.place());
            case ProbeEvent.Site.KernelReturn s -> out = string(string(out.put((byte) KERNEL_RETURN), s.function()), s.returnPlace());
        }
        out = room(out, 4);
        out.putInt(e.args().size());
        for (ProbeEvent.Arg a : e.args()) {
            out = value(string(out, a.name()), a.value());
        }
        return out;
    }

    private static ByteBuffer value(ByteBuffer out, Value v) {
        out = room(out, 9);
        switch (v) {
            case Value.Unsigned u -> out.put((byte) UNSIGNED).putLong(u.value());
            case Value.Signed s -> out.put((byte) SIGNED).putLong(s.value());
            case Value.Hex h -> out.put((byte) HEX).putLong(h.value());
            case Value.Char c -> out.put((byte) CHAR).put(c.value());
            case Value.Text t -> out = bytes(out.put((byte) TEXT), t.bytes());
            case Value.Fault f -> out.put((byte) FAULT);
            case Value.Bits b -> out.put((byte) BITS).putLong(b.value());
            case Value.KernelSymbol k -> out = string(out.put((byte) SYMBOL), k.text());
            case Value.Array a -> {
                out.put((byte) ARRAY).putInt(a.elements().size());
                for (Value el : a.elements()) {
                    out = value(out, el);
                }
            }
        }
        return out;
    }

    static ByteBuffer string(ByteBuffer out, String s) {
        return bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer bytes(ByteBuffer out, byte[] b) {
        out = room(out, 4 + b.length);
        return out.putInt(b.length).put(b);
    }

    /** {@code out}, or a larger copy of it with room for {@code n} more bytes. */
    static ByteBuffer room(ByteBuffer out, int n) {
        if (out.remaining() >= n) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * out.capacity(), out.position() + n)).order(out.order());
        return bigger.put(out.flip());
    }

    /** The event at {@code in}'s position; a {@link RuntimeException} of {@link ByteBuffer} or {@link IllegalArgumentException} when damaged. */
    static ProbeEvent read(ByteBuffer in) {
        String comm = string(in);
        int pid = in.getInt();
        int tid = in.getInt();
        int cpu = in.getInt();
        String flags = string(in);
        long ts = in.getLong();
        String group = string(in);
        String event = string(in);
        ProbeEvent.Site site = switch (in.get()) {
            case ENTRY -> new ProbeEvent.Site.Entry(in.getLong());
            case RETURN -> new ProbeEvent.Site.Return(in.getLong(), in.getLong());
            case KERNEL_ENTRY -> new ProbeEvent.Site.KernelEntry(string(in));
            case KERNEL_RETURN -> new ProbeEvent.Site.KernelReturn(string(in), string(in));
            default -> throw new IllegalArgumentException("an event's site of an unknown kind");
        };
        int n = count(in, 1);
        List<ProbeEvent.Arg> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            args.add(new ProbeEvent.Arg(string(in), value(in, 0)));
        }
        return new ProbeEvent(comm, pid, tid, cpu, flags, ts, group, event, site, args);
    }

    private static Value value(ByteBuffer in, int depth) {
        return switch (in.get()) {
            case UNSIGNED -> new Value.Unsigned(in.getLong());
            case SIGNED -> new Value.Signed(in.getLong());
            case HEX -> new Value.Hex(in.getLong());
            case CHAR -> new Value.Char(in.get());
            case TEXT -> new Value.Text(bytes(in));
            case FAULT -> new Value.Fault();
            case BITS -> new Value.Bits(in.getLong());
            case SYMBOL -> new Value.KernelSymbol(string(in));
            case ARRAY -> {
                if (depth >= MAX_DEPTH) {
                    throw new IllegalArgumentException("arrays nested " + depth + " deep");
                }
                int n = count(in, 1);
                List<Value> el = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    el.add(value(in, depth + 1));
                }
                yield new Value.Array(el);
            }
            default -> throw new IllegalArgumentException("a value of an unknown kind");
        };
    }

    static String string(ByteBuffer in) {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[count(in, 1)];
        in.get(b);
        return b;
    }

    /** A count of items of at least {@code size} bytes each that must fit in what is left. */
    static int count(ByteBuffer in, int size) {
        int n = in.getInt();
        if (n < 0 || (long) n * size > in.remaining()) {
            throw new IllegalArgumentException("a count of " + Integer.toUnsignedString(n) + " where " + in.remaining() + " bytes are left");
        }
        return n;
    }
}
