package io.probe4j.event;

import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a definition's fetch arguments against a {@link FetchContext}, with the kernel's rules
 * ({@code trace_probe.c}, {@code trace_uprobe.c}):
 * <ul>
 * <li>a memory fetch ({@code @ADDR}, {@code @+OFF}, {@code +OFF(...)}, {@code $stackN}) reads the type's
 * size at its address; a register, {@code $stack}, {@code $retval} or immediate is a word cut to size;</li>
 * <li>{@code string} reads the string at the fetch's address; {@code string[N]} reads N pointers there
 * and the string behind each;</li>
 * <li>a fault leaves numbers zero and makes strings {@code (fault)}.</li>
 * </ul>
 */
public final class FetchEvaluator {
    private static final int WORD = 8;

    private FetchEvaluator() {
    }

    /** All arguments of a hit, in order. */
    public static List<ProbeEvent.Arg> evaluate(List<FetchArg> args, FetchContext ctx) {
        List<ProbeEvent.Arg> out = new ArrayList<>(args.size());
        for (FetchArg a : args) {
            out.add(new ProbeEvent.Arg(a.name(), evaluate(a, ctx)));
        }
        return out;
    }

    /** One argument's value. */
    public static Value evaluate(FetchArg arg, FetchContext ctx) {
        ArgType type = arg.type();
        Fetch fetch = arg.fetch();
        try {
            if (fetch instanceof Fetch.Comm) {
                return new Value.Text(ctx.comm());
            }
            if (fetch instanceof Fetch.ImmediateString || (fetch instanceof Fetch.Immediate && type instanceof ArgType.StringType)) {
                // Kernel 6.18 (uprobes): an immediate string is copied with the user-space string copy
                // from a kernel address, which always faults; the kernel prints "(fault)". We agree.
                return new Value.Fault();
            }
            if (!isMemory(fetch)) {
                return ValueDecoder.fromWord(type, word(fetch, ctx));
            }
            long address = address(fetch, ctx);
            return switch (type) {
                case ArgType.StringType s -> string(address, ctx);
                case ArgType.Array a when a.element() instanceof ArgType.StringType -> {
                    List<Value> out = new ArrayList<>(a.count());
                    for (int i = 0; i < a.count(); i++) {
                        out.add(pointedString(address + (long) i * WORD, ctx));
                    }
                    yield new Value.Array(out);
                }
                case ArgType.Array a -> {
                    // Element by element, as the kernel's array loop does: a fault zeroes only the rest.
                    int step = ValueDecoder.size(a.element());
                    List<Value> out = new ArrayList<>(a.count());
                    for (int i = 0; i < a.count(); i++) {
                        out.add(scalarAt(a.element(), address + (long) i * step, ctx));
                    }
                    yield new Value.Array(out);
                }
                default -> scalarAt(type, address, ctx);
            };
        } catch (MemoryFault f) {
            return ValueDecoder.faulted(type);
        }
    }

    private static Value scalarAt(ArgType type, long address, FetchContext ctx) {
        try {
            return ValueDecoder.decode(type, ctx.read(address, ValueDecoder.size(type)), 0);
        } catch (MemoryFault f) {
            return ValueDecoder.faulted(type);
        }
    }

    private static Value pointedString(long pointerAddress, FetchContext ctx) {
        try {
            return string(readWord(pointerAddress, ctx), ctx);
        } catch (MemoryFault f) {
            return new Value.Fault();
        }
    }

    private static Value string(long address, FetchContext ctx) {
        try {
            return ValueDecoder.string(ctx.readString(address, ValueDecoder.MAX_STRING_SIZE));
        } catch (MemoryFault f) {
            return new Value.Fault();
        }
    }

    private static boolean isMemory(Fetch f) {
        return f instanceof Fetch.AbsoluteMemory || f instanceof Fetch.FileMemory
                || f instanceof Fetch.Deref || f instanceof Fetch.StackEntry;
    }

    /** The address a memory fetch reads from. */
    private static long address(Fetch f, FetchContext ctx) throws MemoryFault {
        return switch (f) {
            case Fetch.AbsoluteMemory m -> m.address();
            case Fetch.FileMemory m -> ctx.fileOffsetToAddress(m.fileOffset());
            case Fetch.StackEntry s -> ctx.stackPointer() + (long) s.index() * WORD;
            case Fetch.Deref d -> word(d.base(), ctx) + d.offset();
            default -> throw new IllegalArgumentException("not a memory fetch: " + f);
        };
    }

    /** The full 64-bit value of a fetch, as a dereference uses it for its base. */
    private static long word(Fetch f, FetchContext ctx) throws MemoryFault {
        return switch (f) {
            case Fetch.Register r -> ctx.register(r.name());
            case Fetch.StackPointer s -> ctx.stackPointer();
            case Fetch.ReturnValue r -> ctx.returnValue();
            case Fetch.Immediate i -> i.value();
            case Fetch.AbsoluteMemory m -> readWord(address(m, ctx), ctx);
            case Fetch.FileMemory m -> readWord(address(m, ctx), ctx);
            case Fetch.StackEntry s -> readWord(address(s, ctx), ctx);
            case Fetch.Deref d -> readWord(address(d, ctx), ctx);
            case Fetch.Comm c -> throw new IllegalArgumentException("$comm has no numeric value");
            case Fetch.ImmediateString s -> throw new IllegalArgumentException("an immediate string has no numeric value");
            case Fetch.Argument a -> throw new IllegalArgumentException("$arg" + a.number() + " is a kprobe fetch; user-space probes have none");
            case Fetch.KernelSymbol k -> throw new IllegalArgumentException("@" + k.text() + " is a kprobe fetch; user-space probes have none");
        };
    }

    private static long readWord(long address, FetchContext ctx) throws MemoryFault {
        return ValueDecoder.littleEndian(ctx.read(address, WORD), 0, WORD);
    }
}
