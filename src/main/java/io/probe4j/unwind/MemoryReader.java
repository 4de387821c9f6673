package io.probe4j.unwind;

import java.util.OptionalLong;

/**
 * The traced process's memory as the unwinder reads it: the stack and saved registers. The trap engine
 * passes {@code io.probe4j.sys.ProcessMemory::read}.
 */
@FunctionalInterface
public interface MemoryReader {
    /**
     * Reads up to {@code dst.length} bytes at {@code address}.
     *
     * @return how many bytes were read: fewer at an unreadable page, 0 when the first is unreadable
     */
    int read(long address, byte[] dst);

    /** The little-endian 64-bit word at {@code address}; empty when it cannot be read. */
    default OptionalLong readLong(long address) {
        byte[] b = new byte[8];
        if (read(address, b) != 8) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteCursor.littleEndian(b, 0, 8));
    }
}
