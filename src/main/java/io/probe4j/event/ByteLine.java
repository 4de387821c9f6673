package io.probe4j.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer for building output lines byte-exactly (strings of the traced program are raw bytes). */
final class ByteLine {
    private byte[] buf = new byte[256];
    private int len;

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
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    ByteLine utf8(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code b} right-aligned in {@code width} bytes (printf {@code %Ns}). */
    ByteLine rightAligned(byte[] b, int width) {
        spaces(width - b.length);
        return bytes(b);
    }

    /** {@code s} left-aligned in {@code width} bytes (printf {@code %-Ns}). */
    ByteLine leftAligned(String s, int width) {
        ascii(s);
        return spaces(width - s.length());
    }

    /** A decimal number zero-padded to {@code width} digits (printf {@code %0Nd}). */
    ByteLine zeroPadded(long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            ascii('0');
        }
        return ascii(s);
    }

    ByteLine spaces(int n) {
        for (int i = 0; i < n; i++) {
            ascii(' ');
        }
        return this;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
