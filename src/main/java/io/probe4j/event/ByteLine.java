package io.probe4j.event;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for building output lines byte-exactly (strings of the traced program are raw
 * bytes). A sink keeps one and {@link #reset}s it for each line: numbers are written as digits computed
 * here and ASCII strings char by char, so that a line costs no allocation (the text path formats
 * millions of lines a second, and garbage there is paid again in every collection).
 */
final class ByteLine {
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** "00", "01" .. "99" back to back. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private byte[] buf = new byte[256];
    private int len;

    /** Empties the buffer, keeping its room. */
    ByteLine reset() {
        len = 0;
        return this;
    }

    /** Bytes written so far. */
    int length() {
        return len;
    }

    ByteLine ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    ByteLine ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    ByteLine bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    /** What {@code other} holds. */
    ByteLine line(ByteLine other) {
        return bytes(other.buf, 0, other.len);
    }

    ByteLine bytes(byte[] b, int from, int count) {
        ensure(count);
        System.arraycopy(b, from, buf, len, count);
        len += count;
        return this;
    }

    /** {@code s} in UTF-8; without allocation when it is ASCII, as names and task names nearly always are. */
    ByteLine utf8(String s) {
        int n = s.length();
        ensure(n);
        int start = len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                len = start;
                return bytes(s.getBytes(StandardCharsets.UTF_8));
            }
            buf[len++] = (byte) c;
        }
        return this;
    }

    /**
     * {@code bytes}, a String holding one byte per char (ISO-8859-1), right-aligned in {@code width}
     * bytes (printf {@code %Ns}): how the kernel prints a task's name, whatever its bytes.
     */
    ByteLine bytesRightAligned(String bytes, int width) {
        int n = bytes.length();
        ensure(n);
        int start = len;
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) bytes.charAt(i);
        }
        return padFront(start, width, (byte) ' ');
    }

    /** A signed decimal number (printf {@code %ld}). */
    ByteLine decimal(long v) {
        if (v < 0) {
            ascii('-');
            if (v == Long.MIN_VALUE) {
                return ascii("9223372036854775808");
            }
            v = -v;
        }
        return digits(v);
    }

    /** An unsigned decimal number (printf {@code %lu}). */
    ByteLine unsignedDecimal(long v) {
        if (v >= 0) {
            return digits(v);
        }
        long high = Long.divideUnsigned(v, 10); // the last digit apart: the rest is a positive long
        digits(high);
        return ascii((char) ('0' + (v - high * 10)));
    }

    /** A signed decimal number left-aligned in {@code width} bytes (printf {@code %-Nd}). */
    ByteLine leftAligned(long v, int width) {
        int start = len;
        decimal(v);
        return spaces(width - (len - start));
    }

    /** A decimal number right-aligned in {@code width} bytes (printf {@code %Nld}). */
    ByteLine rightAligned(long v, int width) {
        int start = len;
        return decimal(v).padFront(start, width, (byte) ' ');
    }

    /** A decimal number with zeros in front up to {@code width} bytes ({@code %0Nld} for one not negative). */
    ByteLine zeroPadded(long v, int width) {
        int start = len;
        return decimal(v).padFront(start, width, (byte) '0');
    }

    /** {@code 0x} and lowercase hex digits without padding (printf {@code 0x%lx}). */
    ByteLine hex(long v) {
        int n = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
        ensure(n + 2);
        buf[len++] = '0';
        buf[len++] = 'x';
        for (int i = n - 1; i >= 0; i--) {
            buf[len + i] = HEX_DIGITS[(int) (v & 0xf)];
            v >>>= 4;
        }
        len += n;
        return this;
    }

    ByteLine spaces(int n) {
        if (n > 0) {
            ensure(n);
            Arrays.fill(buf, len, len + n, (byte) ' ');
            len += n;
        }
        return this;
    }

    /** Moves what was written since {@code start} right, filling with {@code fill}, until it takes {@code width} bytes. */
    private ByteLine padFront(int start, int width, byte fill) {
        int pad = width - (len - start);
        if (pad > 0) {
            ensure(pad);
            System.arraycopy(buf, start, buf, start + pad, len - start);
            Arrays.fill(buf, start, start + pad, fill);
            len += pad;
        }
        return this;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    /** Writes the bytes to {@code out}. */
    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    /** The decimal digits of {@code v} (not negative), two a division. */
    private ByteLine digits(long v) {
        int n = digitCount(v);
        ensure(n);
        int at = len + n;
        while (v >= 100) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            buf[--at] = PAIRS[2 * r + 1];
            buf[--at] = PAIRS[2 * r];
            v = q;
        }
        if (v >= 10) {
            buf[--at] = PAIRS[2 * (int) v + 1];
            buf[--at] = PAIRS[2 * (int) v];
        } else {
            buf[--at] = (byte) ('0' + v);
        }
        len += n;
        return this;
    }

    /** Decimal digits of {@code v} (not negative); 1 for 0. */
    private static int digitCount(long v) {
        int n = 1;
        for (long limit = 10; n < 19 && v >= limit; limit *= 10) {
            n++;
        }
        return n;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
