package io.probe4j.engine.kernel;

import io.probe4j.event.Value;
import io.probe4j.spec.ArgType;
import io.probe4j.spec.FetchArg;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the {@code name=value...} part of a trace line back into typed values, knowing each argument's
 * type from the definition. Strings are printed raw between quotes by the kernel, so a string may itself
 * contain {@code "} or {@code " next=}: each possible closing quote is tried in order and the first
 * reading of the whole line that fits wins (backtracking).
 *
 * <p>The line is a Latin-1 string: one char per byte of the kernel's output.
 */
final class ArgTextParser {
    private final String s;
    private final List<FetchArg> args;
    private final Value[] out;
    private boolean ranOut;

    /** Continues a parse after one value; returns whether the rest of the line fit. */
    private interface Rest {
        boolean from(Value v, int end);
    }

    private ArgTextParser(String s, List<FetchArg> args) {
        this.s = s;
        this.args = args;
        this.out = new Value[args.size()];
    }

    /**
     * The outcome: the values, or null when they do not fit; {@code ranOut} when some reading needed
     * more text than the line has (a string or char holding a newline splits the kernel's line).
     */
    record Result(Value[] values, boolean ranOut) {
    }

    /** The values of {@code args} printed in {@code line} from {@code pos} to its end. */
    static Result parse(String line, int pos, List<FetchArg> args) {
        ArgTextParser p = new ArgTextParser(line, args);
        return p.arg(0, pos) ? new Result(p.out, false) : new Result(null, p.ranOut);
    }

    private boolean arg(int i, int pos) {
        if (i == args.size()) {
            return pos == s.length();
        }
        String name = args.get(i).name();
        int p = pos;
        if (p + name.length() + 2 > s.length()) {
            ranOut = true;
        }
        if (!s.startsWith(" ", p) || !s.startsWith(name, p + 1) || !s.startsWith("=", p + 1 + name.length())) {
            return false;
        }
        return value(args.get(i).type(), p + name.length() + 2, (v, end) -> {
            out[i] = v;
            return arg(i + 1, end);
        });
    }

    private boolean value(ArgType type, int p, Rest rest) {
        return switch (type) {
            case ArgType.Scalar sc -> switch (sc.radix()) {
                case UNSIGNED -> number(p, false, 10, rest, Value.Unsigned::new);
                case SIGNED -> number(p, true, 10, rest, Value.Signed::new);
                case HEX -> s.startsWith("0x", p) && number(p + 2, false, 16, rest, Value.Hex::new);
            };
            case ArgType.Bitfield b -> number(p, false, 10, rest, Value.Bits::new);
            case ArgType.CharType c -> p + 3 <= s.length() && s.charAt(p) == '\'' && s.charAt(p + 2) == '\''
                    && rest.from(new Value.Char((byte) s.charAt(p + 1)), p + 3);
            case ArgType.StringType st -> string(p, rest);
            case ArgType.SymbolString ss -> string(p, rest);
            case ArgType.Symbol sy -> symbol(p, rest);
            case ArgType.Array a -> p < s.length() && s.charAt(p) == '{' && elements(a, 0, p + 1, new Value[a.count()], rest);
        };
    }

    private boolean elements(ArgType.Array a, int i, int p, Value[] acc, Rest rest) {
        return value(a.element(), p, (v, end) -> {
            acc[i] = v;
            if (end >= s.length()) {
                ranOut = true;
                return false;
            }
            if (i == a.count() - 1) {
                return s.charAt(end) == '}' && rest.from(new Value.Array(Arrays.asList(acc.clone())), end + 1);
            }
            return s.charAt(end) == ',' && elements(a, i + 1, end + 1, acc, rest);
        });
    }

    /**
     * {@code %pS} (kprobes only): {@code sym+0xoff/0xsize}, followed by {@code " [module]"} for module code,
     * or a bare {@code 0x...} address; the module part is tried first, then the word alone.
     */
    private boolean symbol(int p, Rest rest) {
        int end = p;
        while (end < s.length() && s.charAt(end) != ' ') {
            end++;
        }
        if (end == p) {
            return false;
        }
        if (s.startsWith(" [", end)) {
            int close = s.indexOf(']', end + 2);
            int space = s.indexOf(' ', end + 2);
            boolean moduleName = close > end + 2 && (space < 0 || space > close);
            if (moduleName && rest.from(new Value.KernelSymbol(s.substring(p, close + 1)), close + 1)) {
                return true;
            }
        }
        return rest.from(new Value.KernelSymbol(s.substring(p, end)), end);
    }

    private boolean string(int p, Rest rest) {
        if (s.startsWith("(fault)", p)) {
            return rest.from(new Value.Fault(), p + 7);
        }
        if (p >= s.length() || s.charAt(p) != '"') {
            return false;
        }
        for (int q = s.indexOf('"', p + 1); q >= 0; q = s.indexOf('"', q + 1)) {
            if (rest.from(new Value.Text(s.substring(p + 1, q).getBytes(StandardCharsets.ISO_8859_1)), q + 1)) {
                return true;
            }
        }
        ranOut = true; // no closing quote fitted: the string may go on in the next line
        return false;
    }

    private interface Make {
        Value of(long v);
    }

    private boolean number(int p, boolean signed, int radix, Rest rest, Make make) {
        int e = p;
        if (signed && e < s.length() && s.charAt(e) == '-') {
            e++;
        }
        int digits = e;
        while (e < s.length() && Character.digit(s.charAt(e), radix) >= 0) {
            e++;
        }
        if (e == digits) {
            return false;
        }
        long v = signed ? Long.parseLong(s, p, e, radix) : Long.parseUnsignedLong(s, p, e, radix);
        return rest.from(make.of(v), e);
    }
}
