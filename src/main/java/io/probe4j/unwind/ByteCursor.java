package io.probe4j.unwind;

/**
 * Little-endian reads over a copy of a section's bytes, with DWARF's LEB128 numbers. {@code position}
 * counts from the start of the array; {@link #vaddr} turns it into the link-time address that
 * PC-relative pointers are relative to.
 */
final class ByteCursor {
    private final byte[] bytes;
    private final long baseVaddr;
    private final String what;
    private int position;
    private int limit;

    /**
     * @param bytes     the section (or the part of it that was copied)
     * @param baseVaddr the link-time address of {@code bytes[0]}
     * @param what      names the data in errors ({@code "libc.so.6 .eh_frame"})
     */
    ByteCursor(byte[] bytes, long baseVaddr, String what) {
        this.bytes = bytes;
        this.baseVaddr = baseVaddr;
        this.what = what;
        this.limit = bytes.length;
    }

    int position() {
        return position;
    }

    ByteCursor seek(int position) {
        if (position < 0 || position > limit) {
            throw overrun(position, 0);
        }
        this.position = position;
        return this;
    }

    /** Reads stop at {@code limit} (an entry's end) until it is widened again. */
    void limit(int limit) {
        this.limit = Math.min(limit, bytes.length);
    }

    int limit() {
        return limit;
    }

    boolean atLimit() {
        return position >= limit;
    }

    int capacity() {
        return bytes.length;
    }

    /** The link-time address of the next byte. */
    long vaddr() {
        return baseVaddr + position;
    }

    long baseVaddr() {
        return baseVaddr;
    }

    String what() {
        return what;
    }

    int u8() {
        need(1);
        return bytes[position++] & 0xff;
    }

    int u16() {
        need(2);
        int v = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8;
        position += 2;
        return v;
    }

    long u32() {
        return unsigned(4);
    }

    long u64() {
        return unsigned(8);
    }

    private long unsigned(int size) {
        need(size);
        long v = littleEndian(bytes, position, size);
        position += size;
        return v;
    }

    /** The {@code size}-byte little-endian number at {@code offset} of {@code b}, zero-extended. */
    static long littleEndian(byte[] b, int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (b[offset + i] & 0xff);
        }
        return v;
    }

    long uleb128() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }

    long sleb128() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    /** A NUL-terminated ASCII string (CIE augmentation strings). */
    String cString() {
        int start = position;
        while (true) {
            if (u8() == 0) {
                return new String(bytes, start, position - 1 - start, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
        }
    }

    void skip(long n) {
        if (n < 0 || n > limit - position) {
            throw overrun(position, n);
        }
        position += (int) n;
    }

    /** A view of {@code [from, to)} of the same bytes, for an instruction or expression block. */
    ByteCursor slice(int from, int to) {
        ByteCursor c = new ByteCursor(bytes, baseVaddr, what);
        c.position = from;
        c.limit = to;
        return c;
    }

    private void need(int n) {
        if (n > limit - position) {
            throw overrun(position, n);
        }
    }

    private CfiException overrun(long at, long n) {
        return new CfiException(String.format("%s: truncated call-frame information: %d bytes at 0x%x run past the end of the entry",
                what, n, baseVaddr + at));
    }
}
