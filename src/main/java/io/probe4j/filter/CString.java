package io.probe4j.filter;

/**
 * The C string functions the kernel's string matches use ({@code strncmp}, {@code strnstr}, {@code memcmp}),
 * over a byte array that stands for a NUL-terminated C string: bytes past its end read as NUL.
 */
final class CString {
    private CString() {
    }

    static int at(byte[] s, int i) {
        return i >= 0 && i < s.length ? s[i] & 0xff : 0;
    }

    static int length(byte[] s) {
        int n = 0;
        while (at(s, n) != 0) {
            n++;
        }
        return n;
    }

    /** {@code strncmp(a, b, n)}: the sign of the first difference within n bytes, stopping at a NUL. */
    static int compare(byte[] a, byte[] b, int n) {
        for (int k = 0; k < n; k++) {
            int ca = at(a, k);
            int cb = at(b, k);
            if (ca != cb) {
                return ca - cb;
            }
            if (ca == 0) {
                return 0;
            }
        }
        return 0;
    }

    /** {@code memcmp(s + offset, p, p.length) == 0}. */
    static boolean regionEquals(byte[] s, int offset, byte[] p) {
        for (int k = 0; k < p.length; k++) {
            if (at(s, offset + k) != (p[k] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** {@code strnstr(s, p, len) != NULL}: p within the first len bytes of s (an empty p always). */
    static boolean contains(byte[] s, byte[] p, int len) {
        for (int k = 0; len >= p.length; len--, k++) {
            if (regionEquals(s, k, p)) {
                return true;
            }
        }
        return false;
    }
}
