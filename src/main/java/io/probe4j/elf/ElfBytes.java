package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a mapped ELF file with reads at absolute positions. Every table is range-checked
 * once with {@link #require} before it is read, so a truncated or corrupt file becomes a
 * {@link UserException} that names the table, not an {@code IndexOutOfBoundsException}.
 */
final class ElfBytes {
    private final ByteBuffer buf;
    private final String file;

    ElfBytes(ByteBuffer buf, String file) {
        this.buf = buf;
        this.file = file;
    }

    void order(ByteOrder order) {
        buf.order(order);
    }

    private boolean bigEndian() {
        return buf.order() == ByteOrder.BIG_ENDIAN;
    }

    // Decoding from a heap copy: far fewer calls per field than the mapped buffer's accessors, which
    // matters for symbol tables read once in a cold JVM (the interpreter pays for every call).

    int u8(byte[] a, int p) {
        return a[p] & 0xff;
    }

    int u16(byte[] a, int p) {
        return bigEndian() ? (a[p] & 0xff) << 8 | (a[p + 1] & 0xff) : (a[p] & 0xff) | (a[p + 1] & 0xff) << 8;
    }

    long u32(byte[] a, int p) {
        long lo = u16(a, p);
        long hi = u16(a, p + 2);
        return bigEndian() ? lo << 16 | hi : hi << 16 | lo;
    }

    long u64(byte[] a, int p) {
        long lo = u32(a, p);
        long hi = u32(a, p + 4);
        return bigEndian() ? lo << 32 | hi : hi << 32 | lo;
    }

    long size() {
        return buf.capacity();
    }

    /** Fails unless {@code [offset, offset + length)} lies inside the file. */
    void require(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
            throw new UserException(String.format(
                    "%s: truncated or corrupt ELF file: %s at file offset 0x%x (%d bytes) extends beyond the end of the file (%d bytes)",
                    file, what, offset, length, size()));
        }
    }

    int u8(long pos) {
        return buf.get((int) pos) & 0xff;
    }

    int u16(long pos) {
        return buf.getShort((int) pos) & 0xffff;
    }

    long u32(long pos) {
        return buf.getInt((int) pos) & 0xffffffffL;
    }

    long u64(long pos) {
        return buf.getLong((int) pos);
    }

    byte[] bytes(long pos, int length) {
        byte[] out = new byte[length];
        buf.get((int) pos, out);
        return out;
    }

    /** A NUL-terminated string inside {@code table} (a copy of a string table section). */
    static String cString(byte[] table, long index) {
        if (index < 0 || index >= table.length) {
            return "";
        }
        int start = (int) index;
        int end = start;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        return new String(table, start, end - start, StandardCharsets.UTF_8);
    }
}
