package io.probe4j.filter;

/**
 * The kernel's character classes ({@code lib/ctype.c}) for one byte of a filter: unlike the C library's
 * "C" locale they treat Latin-1 letters (0xC0..0xFF but for 0xD7 and 0xF7) as letters and 0xA0 as white
 * space, and that decides where a field name or a number ends.
 */
public final class Ctype {
    private Ctype() {
    }

    public static boolean isSpace(int c) {
        return (c >= 9 && c <= 13) || c == ' ' || c == 0xa0;
    }

    public static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    public static boolean isAlnum(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xff && c != 0xd7 && c != 0xf7);
    }
}
