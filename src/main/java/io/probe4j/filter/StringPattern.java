package io.probe4j.filter;

import java.util.Arrays;

/**
 * The kernel's string match for one predicate ({@code filter_build_regex}): {@code ==} and {@code !=}
 * compare whole strings; {@code ~} reads the pattern the kernel's way: a leading {@code !} negates, a
 * pattern starting with a digit is taken literally, {@code *x}, {@code x*} and {@code *x*} are suffix,
 * prefix and substring matches, and anything else with {@code *}, {@code ?}, {@code [} or {@code \} is a
 * full {@code glob_match}.
 *
 * @param kind    the kind of match
 * @param pattern the bytes matched against (the {@code *} and {@code !} of the simple kinds taken off)
 * @param negated whether the result is inverted ({@code !=}, or {@code ~ "!..."})
 */
public record StringPattern(Kind kind, byte[] pattern, boolean negated) {

    /** The kernel's {@code enum regex_type} (its {@code MATCH_INDEX} matches as {@code FULL}). */
    public enum Kind { FULL, FRONT, MIDDLE, END, GLOB }

    public StringPattern {
        pattern = pattern.clone();
    }

    @Override
    public byte[] pattern() {
        return pattern.clone();
    }

    /** The match for {@code text} (the bytes between the quotes) under {@code op}. */
    static StringPattern of(FilterExpr.Op op, byte[] text) {
        if (op != FilterExpr.Op.GLOB) {
            return new StringPattern(Kind.FULL, text, op == FilterExpr.Op.NE);
        }
        boolean not = text.length > 0 && text[0] == '!';
        byte[] b = not ? Arrays.copyOfRange(text, 1, text.length) : text;
        if (b.length > 0 && Ctype.isDigit(b[0])) {
            return new StringPattern(Kind.FULL, b, not);
        }
        Kind kind = Kind.FULL;
        int end = b.length;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '*') {
                if (i == 0) {
                    kind = Kind.END;
                } else if (i == b.length - 1) {
                    kind = kind == Kind.END ? Kind.MIDDLE : Kind.FRONT;
                    end = i;
                    break;
                } else {
                    return new StringPattern(Kind.GLOB, b, not);
                }
            } else if (b[i] == '[' || b[i] == '?' || b[i] == '\\') {
                return new StringPattern(Kind.GLOB, b, not);
            }
        }
        int start = b.length > 0 && b[0] == '*' ? 1 : 0;
        return new StringPattern(kind, Arrays.copyOfRange(b, start, Math.max(start, end)), not);
    }

    /**
     * Whether the recorded string matches, the way the kernel's {@code regex_match_*} functions see it:
     * {@code str} the bytes at the field (what follows the string's NUL included when the kernel would look
     * there), {@code len} the length the kernel passes ({@code strlen + 1} for an event's string, the
     * buffer's size for {@code COMM}, 0 when the string could not be read).
     */
    boolean matches(byte[] str, int len) {
        boolean m = switch (kind) {
            case FULL -> len == 0 ? CString.compare(str, pattern, Integer.MAX_VALUE) == 0 : CString.compare(str, pattern, len) == 0;
            case FRONT -> !(len != 0 && len < pattern.length) && CString.compare(str, pattern, pattern.length) == 0;
            case MIDDLE -> CString.contains(str, pattern, len == 0 ? CString.length(str) + 1 : len);
            case END -> len - 1 >= pattern.length && CString.regionEquals(str, len - 1 - pattern.length, pattern);
            case GLOB -> KernelGlob.matches(pattern, str);
        };
        return m ^ negated;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StringPattern p && kind == p.kind && negated == p.negated && Arrays.equals(pattern, p.pattern);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(pattern) + (negated ? 1 : 0);
    }

    @Override
    public String toString() {
        return "StringPattern[" + kind + " " + new String(pattern, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (negated ? " negated" : "") + "]";
    }
}
