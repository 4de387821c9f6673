package io.probe4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Memory of this process at a known address (a shared ring, generated code), read and written by
 * offset. The ordered accessors are what a ring shared with another process needs: an acquire load
 * of a word another writer released, a release store of a position the other side reads.
 * Offsets of 8-byte accessors must be 8-aligned.
 */
public final class MappedMemory implements AutoCloseable {
    private static final VarHandle LONG = Native.LONG.varHandle();
    private final Arena arena;
    private final MemorySegment segment;

    private MappedMemory(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * The {@code size} bytes at {@code address}, which the caller has mapped. Until {@link #close()};
     * after it, an access throws instead of touching memory that may be unmapped.
     */
    public static MappedMemory at(long address, long size) {
        Arena arena = Arena.ofShared();
        return new MappedMemory(arena, MemorySegment.ofAddress(address).reinterpret(size, arena, null));
    }

    /** Ends this view (not the mapping): call before unmapping. */
    @Override
    public void close() {
        arena.close();
    }

    public long address() {
        return segment.address();
    }

    public long size() {
        return segment.byteSize();
    }

    public long getLong(long offset) {
        return segment.get(Native.LONG, offset);
    }

    /** A load that sees every store the writer made before it released this word. */
    public long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }

    public void setLong(long offset, long value) {
        segment.set(Native.LONG, offset, value);
    }

    /** A store ordered after every earlier load and store of this thread. */
    public void setLongRelease(long offset, long value) {
        LONG.setRelease(segment, offset, value);
    }

    /** Atomically adds {@code delta}, returning the value before. */
    public long getAndAddLong(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }

    public int getInt(long offset) {
        return segment.get(Native.INT, offset);
    }

    public byte getByte(long offset) {
        return segment.get(Native.BYTE, offset);
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset..]}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(segment, Native.BYTE, offset, dst, dstOffset, length);
    }

    /** Copies {@code src} to {@code offset}. */
    public void write(long offset, byte[] src) {
        MemorySegment.copy(src, 0, segment, Native.BYTE, offset, src.length);
    }

    /** Zeroes {@code length} bytes at {@code offset}. */
    public void zero(long offset, long length) {
        segment.asSlice(offset, length).fill((byte) 0);
    }
}
