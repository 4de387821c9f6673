package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.MappedMemory;
import io.probe4j.sys.Memfd;

/**
 * The rings of one traced process as this process maps them: a memfd laid out by a {@link RingLayout},
 * mapped into address space reserved for the whole layout. The traced process maps the same memfd
 * with the same pieces ({@link RingLayout#pieces()}), at an address of its own.
 */
public final class RingMapping implements AutoCloseable {
    private final RingLayout layout;
    private final Memfd file;
    private final long base;
    private final MappedMemory memory;
    private boolean closed;

    private RingMapping(RingLayout layout, Memfd file, long base) {
        this.layout = layout;
        this.file = file;
        this.base = base;
        this.memory = MappedMemory.at(base, layout.virtualSize());
    }

    /** A new, empty set of rings, mapped here. */
    public static RingMapping create(String name, RingLayout layout) {
        Memfd file = Memfd.create(name, layout.fileSize());
        try {
            long base = mapInto(file, layout);
            RingMapping m = new RingMapping(layout, file, base);
            long[] words = layout.controlWords();
            for (int i = 0; i < words.length; i++) {
                m.memory.setLong(layout.controlOffset() + 8L * i, words[i]);
            }
            return m;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Maps {@code file} laid out as {@code layout} into this process once more; returns the base. */
    public static long mapInto(Memfd file, RingLayout layout) {
        long base = LocalMemory.reserve(layout.virtualSize());
        try {
            for (RingLayout.Piece p : layout.pieces()) {
                LocalMemory.mapShared(file, p.fileOffset(), base + p.offset(), p.length());
            }
        } catch (RuntimeException e) {
            LocalMemory.unmap(base, layout.virtualSize());
            throw e;
        }
        return base;
    }

    public RingLayout layout() {
        return layout;
    }

    public Memfd file() {
        return file;
    }

    /** Where the layout starts in this process. */
    public long base() {
        return base;
    }

    /** The whole layout, by offset from {@link #base()}. */
    public MappedMemory memory() {
        return memory;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            memory.close();
            LocalMemory.unmap(base, layout.virtualSize());
            file.close();
        }
    }
}
