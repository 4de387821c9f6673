package io.probe4j.trigger;

import io.probe4j.filter.Ctype;

/**
 * The C string steps the kernel's trigger parsers take ({@code strsep}, {@code skip_spaces}, {@code strim}),
 * over Java strings holding one byte per char, so that every split falls where the kernel's does.
 */
final class CText {
    private CText() {
    }

    /** {@code strsep(&s, delims)}: the token before the first delimiter, and what follows it (null if none). */
    record Sep(String token, String rest) {
    }

    static Sep strsep(String s, String delims) {
        for (int i = 0; i < s.length(); i++) {
            if (delims.indexOf(s.charAt(i)) >= 0) {
                return new Sep(s.substring(0, i), s.substring(i + 1));
            }
        }
        return new Sep(s, null);
    }

    static String skipSpaces(String s) {
        int i = 0;
        while (i < s.length() && Ctype.isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    /** {@code strim()}: white space cut at both ends. */
    static String strim(String s) {
        int end = s.length();
        while (end > 0 && Ctype.isSpace(s.charAt(end - 1))) {
            end--;
        }
        return skipSpaces(s.substring(0, end));
    }

    static boolean startsWithDigit(String s) {
        return !s.isEmpty() && Ctype.isDigit(s.charAt(0));
    }
}
