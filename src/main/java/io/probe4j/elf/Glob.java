package io.probe4j.elf;

import io.probe4j.error.UserException;

/**
 * A shell-style pattern for symbol names, like {@code perf probe --funcs --filter}: {@code *} any
 * run of characters, {@code ?} one character, {@code [abc]}, {@code [a-z]} and {@code [!a-z]} (or
 * {@code [^a-z]}) one character of a set, {@code \x} the character x itself. No special meaning
 * for {@code /} or a leading dot: symbol names are not paths.
 */
public final class Glob {
    private final String pattern;

    private Glob(String pattern) {
        this.pattern = pattern;
    }

    /** Compiles {@code pattern}; an unterminated {@code [} is a {@link UserException}. */
    public static Glob of(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[' && classEnd(pattern, i) < 0) {
                throw new UserException("bad pattern " + pattern + ": '[' at position " + (i + 1) + " is never closed by ']'");
            }
        }
        return new Glob(pattern);
    }

    public boolean matches(String name) {
        // Greedy match with one backtrack point (the last '*'): linear-ish, no exponential blow-up.
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = 0;
        while (i < name.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = ++p;
                starI = i;
            } else if (p < pattern.length() && matchesOne(p, name.charAt(i))) {
                p = nextToken(p);
                i++;
            } else if (starP >= 0) {
                p = starP;
                i = ++starI;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private boolean matchesOne(int p, char ch) {
        char c = pattern.charAt(p);
        return switch (c) {
            case '?' -> true;
            case '[' -> inClass(pattern.substring(p + 1, classEnd(pattern, p)), ch);
            case '\\' -> p + 1 < pattern.length() ? pattern.charAt(p + 1) == ch : ch == '\\';
            default -> c == ch;
        };
    }

    private int nextToken(int p) {
        return switch (pattern.charAt(p)) {
            case '[' -> classEnd(pattern, p) + 1;
            case '\\' -> Math.min(p + 2, pattern.length());
            default -> p + 1;
        };
    }

    /** The index of the {@code ]} closing the class opened at {@code open}, or -1. A {@code ]} first in the class is literal. */
    private static int classEnd(String pattern, int open) {
        int j = open + 1;
        if (j < pattern.length() && (pattern.charAt(j) == '!' || pattern.charAt(j) == '^')) {
            j++;
        }
        if (j < pattern.length() && pattern.charAt(j) == ']') {
            j++;
        }
        for (; j < pattern.length(); j++) {
            if (pattern.charAt(j) == ']') {
                return j;
            }
        }
        return -1;
    }

    private static boolean inClass(String set, char ch) {
        boolean negate = !set.isEmpty() && (set.charAt(0) == '!' || set.charAt(0) == '^');
        int k = negate ? 1 : 0;
        boolean hit = false;
        for (; k < set.length(); k++) {
            char lo = set.charAt(k);
            if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                char hi = set.charAt(k + 2);
                hit |= ch >= lo && ch <= hi;
                k += 2;
            } else {
                hit |= ch == lo;
            }
        }
        return hit != negate;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
