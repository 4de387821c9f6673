package io.probe4j.spec;

/**
 * The kernel's number parsers ({@code lib/kstrtox.c}, {@code lib/vsprintf.c}), because which texts
 * they accept decides which definitions are valid: {@code 0x} hex, leading {@code 0} octal, decimal;
 * one leading {@code +} for the unsigned ones; 64-bit overflow rejected; nothing may follow.
 */
public final class KernelNumbers {
    private KernelNumbers() {
    }

    /** A parsed number, or the errno the kernel's parser returns: EINVAL, or ERANGE on overflow. */
    public record Num(long value, Errno errno) {
        public boolean ok() {
            return errno == null;
        }

        static Num of(long v) {
            return new Num(v, null);
        }

        static Num fail(Errno e) {
            return new Num(0, e);
        }
    }

    /** {@code kstrtoull(s, base)} / {@code kstrtoul}: base 0 (C notation) or 10. */
    public static Num kstrtoull(String s, int base) {
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        return parseUnsigned(s, base);
    }

    /** {@code kstrtoll(s, base)} / {@code kstrtol}: signed 64-bit, {@code -} or one {@code +} allowed. */
    public static Num kstrtoll(String s, int base) {
        if (s.startsWith("-")) {
            Num v = parseUnsigned(s.substring(1), base);
            if (!v.ok()) {
                return v;
            }
            return -v.value() > 0 ? Num.fail(Errno.ERANGE) : Num.of(-v.value());
        }
        Num v = kstrtoull(s, base);
        if (!v.ok()) {
            return v;
        }
        return v.value() < 0 ? Num.fail(Errno.ERANGE) : v;
    }

    /** {@code kstrtouint(s, 0)}: as {@link #kstrtoull}, and the value must fit 32 bits. */
    static Num kstrtouint(String s) {
        Num v = kstrtoull(s, 0);
        if (v.ok() && (v.value() >>> 32) != 0) {
            return Num.fail(Errno.ERANGE);
        }
        return v;
    }

    /** {@code simple_strtoul(s + start, &end, 0)}: the value (wrapping) and where parsing stopped. */
    static Prefix simpleStrtoul(String s, int start) {
        int[] base = {0};
        int p = fixupRadix(s, start, base);
        long value = 0;
        while (p < s.length()) {
            int d = digit(s.charAt(p));
            if (d < 0 || d >= base[0]) {
                break;
            }
            value = value * base[0] + d;
            p++;
        }
        return new Prefix(value, p);
    }

    /** A number read from the front of a text, and the index just after it. */
    record Prefix(long value, int end) {
    }

    private static Num parseUnsigned(String s, int requestedBase) {
        int[] base = {requestedBase};
        int p = fixupRadix(s, 0, base);
        int start = p;
        long value = 0;
        boolean overflow = false;
        // value * base + d overflows 64 bits when value passes limit, or reaches it with d past the last digit
        int b = base[0];
        long limit = Long.divideUnsigned(-1L, b);
        long last = Long.remainderUnsigned(-1L, b);
        // bytes (copied, not converted, for Latin-1 text; any other character is no digit either way), not
        // charAt: a thousand definitions' offsets are parsed before the JIT has compiled this
        byte[] c = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        while (p < c.length) {
            int d = digit((char) (c[p] & 0xff));
            if (d < 0 || d >= b) {
                break;
            }
            if (value + Long.MIN_VALUE > limit + Long.MIN_VALUE || value == limit && d > last) { // unsigned >
                overflow = true;
            }
            value = value * b + d;
            p++;
        }
        if (overflow) {
            return Num.fail(Errno.ERANGE);
        }
        if (p == start || p != c.length) {
            return Num.fail(Errno.EINVAL);
        }
        return Num.of(value);
    }

    /** {@code _parse_integer_fixup_radix}: picks base 16/8/10 for base 0 and skips a {@code 0x}. */
    private static int fixupRadix(String s, int p, int[] base) {
        char c0 = p < s.length() ? s.charAt(p) : 0;
        char c1 = p + 1 < s.length() ? (char) (s.charAt(p + 1) | 0x20) : 0; // only 'x' is looked for: 'X' too
        char c2 = p + 2 < s.length() ? s.charAt(p + 2) : 0;
        if (base[0] == 0) {
            if (c0 == '0') {
                base[0] = c1 == 'x' && digit(c2) >= 0 && digit(c2) < 16 ? 16 : 8;
            } else {
                base[0] = 10;
            }
        }
        if (base[0] == 16 && c0 == '0' && c1 == 'x') {
            p += 2;
        }
        return p;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int l = c | 0x20; // 'A'-'F' to 'a'-'f'; no other character lands there
        if (l >= 'a' && l <= 'f') {
            return l - 'a' + 10;
        }
        return -1;
    }
}
