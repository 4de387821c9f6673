package io.probe4j.engine.ring;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.event.ValueDecoder;
import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where one event's fetch arguments sit in its records, and how the consumer turns them back into
 * the {@link Value}s the trap engine's {@code FetchEvaluator} gives for the same hit. Every slot is
 * 8-byte aligned:
 * <ul>
 * <li>{@link Word}: a register, {@code $stack}, {@code $retval}, or a scalar, char or bitfield read
 *     from memory (zero-extended; 0 when the read faulted, as the kernel leaves it);</li>
 * <li>{@link Bytes}: an array of scalars, element after element (a faulting element is 0);</li>
 * <li>{@link Str}: a string: offset of its bytes in the record (u32), then its length without NUL
 *     (u32), {@link #FAULT} when it could not be read; the bytes follow the fixed slots;</li>
 * <li>{@link StrArray}: {@code string[N]}: N such pairs;</li>
 * <li>nothing for values known before the hit: an immediate ({@link Constant}), an immediate string
 *     ({@code (fault)} on kernel 6.18, as {@code FetchEvaluator} says), and {@code $comm}, which code
 *     in the traced process cannot read without a system call: the consumer fills in the thread's name
 *     as it knows it ({@link Comm}).</li>
 * </ul>
 *
 * @param event     the event id in record headers
 * @param isReturn  records of a return probe carry the return address
 * @param args      the definition's fetch arguments
 * @param slots     one per argument, in order
 * @param fixedSize bytes of a record before its strings
 */
public record EventLayout(int event, boolean isReturn, List<FetchArg> args, List<Slot> slots, int fixedSize) {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** The length field of a string that could not be read. */
    public static final int FAULT = -1;
    /** A string's longest recorded text: the kernel's MAX_STRING_SIZE minus its NUL. */
    public static final int MAX_STRING = ValueDecoder.MAX_STRING_SIZE - 1;

    public EventLayout {
        args = List.copyOf(args);
        slots = List.copyOf(slots);
    }

    /** Where an argument's value is. */
    public sealed interface Slot {
    }

    public record Word(int offset) implements Slot {
    }

    public record Bytes(int offset, int length) implements Slot {
    }

    public record Str(int offset) implements Slot {
    }

    public record StrArray(int offset, int count) implements Slot {
    }

    public record Constant(Value value) implements Slot {
    }

    public record Comm() implements Slot {
    }

    /** The layout of {@code args} for event id {@code event}. */
    public static EventLayout of(int event, boolean isReturn, List<FetchArg> args) {
        int at = isReturn ? RecordFormat.RETURN_ARGS : RecordFormat.ENTRY_ARGS;
        List<Slot> slots = new ArrayList<>();
        for (FetchArg a : args) {
            Slot s = slot(a, at);
            slots.add(s);
            at += switch (s) {
                case Word w -> 8;
                case Bytes b -> align8(b.length());
                case Str str -> 8;
                case StrArray sa -> 8 * sa.count();
                case Constant c -> 0;
                case Comm c -> 0;
            };
        }
        if (at > RecordFormat.MAX_LENGTH / 2) {
            throw new IllegalArgumentException("the arguments take " + at + " bytes in a record, more than the inline engine allows");
        }
        return new EventLayout(event, isReturn, args, slots, at);
    }

    private static Slot slot(FetchArg a, int at) {
        Fetch f = a.fetch();
        ArgType t = a.type();
        if (f instanceof Fetch.Comm) {
            return new Comm();
        }
        if (f instanceof Fetch.ImmediateString || (f instanceof Fetch.Immediate && t instanceof ArgType.StringType)) {
            return new Constant(new Value.Fault());
        }
        if (f instanceof Fetch.Immediate(long v)) {
            return new Constant(ValueDecoder.fromWord(t, v));
        }
        if (!isMemory(f)) {
            return new Word(at);
        }
        return switch (t) {
            case ArgType.StringType s -> new Str(at);
            case ArgType.Array arr when arr.element() instanceof ArgType.StringType -> new StrArray(at, arr.count());
            case ArgType.Array arr -> new Bytes(at, ValueDecoder.size(arr));
            default -> new Word(at);
        };
    }

    /** Whether the fetch reads memory at an address (the kernel's memory fetches). */
    public static boolean isMemory(Fetch f) {
        return f instanceof Fetch.AbsoluteMemory || f instanceof Fetch.FileMemory || f instanceof Fetch.Deref
                || f instanceof Fetch.StackEntry;
    }

    /** Number of strings a hit records. */
    public int stringCount() {
        int n = 0;
        for (Slot s : slots) {
            n += s instanceof Str ? 1 : s instanceof StrArray sa ? sa.count() : 0;
        }
        return n;
    }

    /**
     * Bytes the strings of one hit may take together: what the record's length field leaves. Each
     * string is cut at 4095 bytes, as the trap engine cuts it; the kernel also keeps one hit's strings
     * within a page, but warns when it has to (WARN_ON_ONCE in trace_uprobe.c), so no comparison can
     * rely on it, and a record has room for 15 whole strings.
     */
    public int stringBudget() {
        return RecordFormat.MAX_LENGTH - fixedSize - 7;
    }

    /** The arguments recorded in {@code record} (one whole record, header first); {@code comm} fills {@code $comm}. */
    public List<ProbeEvent.Arg> decode(byte[] record, byte[] comm) {
        return decode(record, 0, record.length, comm);
    }

    /**
     * The arguments of the record at {@code record[at .. at + length)} (records back to back in one array);
     * a string said to lie outside the record (a damaged record) is an {@link IllegalArgumentException}.
     */
    public List<ProbeEvent.Arg> decode(byte[] record, int at, int length, byte[] comm) {
        if (length < fixedSize) {
            throw new IllegalArgumentException("a record of " + length + " bytes, shorter than event " + event + "'s " + fixedSize);
        }
        // the immutable list ProbeEvent keeps as it is (its List.copyOf copies any other): one or two arguments,
        // the usual case, without a list or an array to fill first
        return switch (args.size()) {
            case 0 -> List.of();
            case 1 -> List.of(arg(0, record, at, length, comm));
            case 2 -> List.of(arg(0, record, at, length, comm), arg(1, record, at, length, comm));
            default -> {
                ProbeEvent.Arg[] out = new ProbeEvent.Arg[args.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = arg(i, record, at, length, comm);
                }
                yield List.of(out);
            }
        };
    }

    private ProbeEvent.Arg arg(int i, byte[] record, int at, int length, byte[] comm) {
        ArgType t = args.get(i).type();
        Value v = switch (slots.get(i)) {
            case Word w -> ValueDecoder.fromWord(t, (long) LONG.get(record, at + w.offset()));
            case Bytes by -> ValueDecoder.decode(t, record, at + by.offset());
            case Str s -> string(record, at, length, s.offset());
            case StrArray sa -> {
                Value[] el = new Value[sa.count()];
                for (int k = 0; k < el.length; k++) {
                    el[k] = string(record, at, length, sa.offset() + 8 * k);
                }
                yield new Value.Array(List.of(el));
            }
            case Constant c -> c.value();
            case Comm c -> new Value.Text(comm);
        };
        return new ProbeEvent.Arg(args.get(i).name(), v);
    }

    private static Value string(byte[] record, int at, int recordLength, int slot) {
        int offset = (int) INT.get(record, at + slot);
        int length = (int) INT.get(record, at + slot + 4);
        if (length == FAULT) {
            return new Value.Fault();
        }
        if (offset < 0 || length < 0 || (long) offset + length > recordLength) {
            throw new IllegalArgumentException("a string of " + length + " bytes at " + offset + " runs past its record's "
                    + recordLength + " bytes");
        }
        return new Value.Text(Arrays.copyOfRange(record, at + offset, at + offset + length));
    }

    static int align8(int n) {
        return (n + 7) & -8;
    }
}
