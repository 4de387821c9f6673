package io.probe4j.demangle;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * C++ symbol names as people read them: Itanium C++ ABI manglings ({@code _ZN7probe4j9less_thanEii})
 * turned into what {@code c++filt} prints ({@code probe4j::less_than(int, int)}), including GCC's clone
 * suffixes ({@code [clone .constprop.0]}). Names it cannot read stay as they are, as with c++filt.
 */
public final class Demangler {
    // GCC's clones: ".constprop.0", ".isra.0", ".part.0", ".cold", ".lto_priv.0", one after another.
    private static final Pattern CLONE = Pattern.compile("\\.[A-Za-z_]+(?:\\.[0-9]+)*");

    private Demangler() {
    }

    /** The demangled name, or {@code symbol} itself when it is not a mangled C++ name this can read. */
    public static String demangle(String symbol) {
        return tryDemangle(symbol).orElse(symbol);
    }

    /** The demangled name; empty when {@code symbol} is not a mangled C++ name this can read. */
    public static Optional<String> tryDemangle(String symbol) {
        if (symbol == null || !symbol.startsWith("_Z")) {
            return Optional.empty();
        }
        try {
            Parser p = new Parser(symbol, 2);
            Node encoding = p.encoding();
            String text = Printer.print(encoding);
            if (p.atEnd()) {
                return Optional.of(text);
            }
            if (p.peek() != '.') {
                return Optional.empty();
            }
            StringBuilder b = new StringBuilder(text);
            Matcher m = CLONE.matcher(symbol);
            int at = p.pos;
            while (at < symbol.length()) {
                if (!m.find(at) || m.start() != at) {
                    return Optional.empty();
                }
                b.append(" [clone ").append(m.group()).append(']');
                at = m.end();
            }
            return Optional.of(b.toString());
        } catch (DemangleException | StackOverflowError e) {
            return Optional.empty();
        }
    }
}
