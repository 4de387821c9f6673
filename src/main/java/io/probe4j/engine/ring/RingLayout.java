package io.probe4j.engine.ring;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the inline engine's rings live, in the shared file (a memfd) and in an address space. One
 * ring per CPU number (rounded up to a power of two, so the generated code picks its ring with a
 * mask); each ring is a header page and a data area of {@code dataSize} bytes (a power of two) mapped
 * twice back to back, so a record that starts near the end of the data area runs on into the second
 * mapping of the same bytes and never has to be split. A control page at the end says what the
 * layout is, for tools.
 *
 * <pre>
 * file:     [control][hdr 0][data 0][hdr 1][data 1]...
 * virtual:  [hdr 0][data 0][data 0 again] (hole up to the stride) [hdr 1]... [control]
 * </pre>
 *
 * <p>The ring header, one field per cache line where two sides write:
 * <ul>
 * <li>{@link #HEAD}: bytes ever reserved; writers {@code lock xadd} it;</li>
 * <li>{@link #TAIL}: bytes ever consumed; only the consumer stores it (release), after zeroing them;</li>
 * <li>{@link #OVERSHOOTS}: how often a writer had to wait for room (see below);</li>
 * <li>{@link #LOST} + 8 × event: records of each event dropped because the ring was full.</li>
 * </ul>
 * A writer checks for room before it reserves: a record is dropped (and counted lost) when it would
 * leave less than {@link #margin()} bytes free. The check and the {@code lock xadd} are two steps, so
 * writers that passed the check together may reserve past it; the margin absorbs that (it takes more
 * than margin bytes of records reserved between one writer's check and its {@code xadd}, on one ring).
 * A writer that finds after its {@code xadd} that it would overwrite unread data waits (a bounded
 * {@code pause} loop) for the consumer, and counts an overshoot.
 *
 * @param rings     number of rings, a power of two
 * @param dataSize  bytes of one ring's data area, a power of two, at least 64 KiB
 * @param events    number of event ids the lost counters cover
 */
public record RingLayout(int rings, long dataSize, int events) {
    public static final long PAGE = 4096;
    public static final int HEAD = 0, TAIL = 64, OVERSHOOTS = 128, LOST = 192;
    /** The control page: magic, then the layout's numbers, little-endian words. */
    public static final long MAGIC = 0x31474e494a345050L; // "PP4JING1"

    public RingLayout {
        if (Integer.bitCount(rings) != 1) {
            throw new IllegalArgumentException("ring count " + rings + " is not a power of two");
        }
        if (Long.bitCount(dataSize) != 1 || dataSize < 65536) {
            throw new IllegalArgumentException("ring data size " + dataSize + " is not a power of two of at least 64 KiB");
        }
        if (events < 1 || events > RecordFormat.MAX_EVENTS) {
            throw new IllegalArgumentException("event count " + events + " is outside 1.." + RecordFormat.MAX_EVENTS);
        }
    }

    /** Enough rings for every CPU number up to {@code cpus - 1}. */
    public static RingLayout forCpus(int cpus, long dataSize, int events) {
        return new RingLayout(Integer.highestOneBit(Math.max(1, cpus) * 2 - 1), dataSize, events);
    }

    /** The mask that turns a CPU number into a ring index. */
    public int ringMask() {
        return rings - 1;
    }

    /** Bytes of one ring header: the fields and the lost counters, whole pages. */
    public long headerSize() {
        return (LOST + 8L * events + PAGE - 1) & -PAGE;
    }

    /** Distance between two rings in the address space: a power of two, so ring {@code i} is {@code base + (i << strideShift)}. */
    public long stride() {
        return Long.highestOneBit((headerSize() + 2 * dataSize) * 2 - 1);
    }

    public int strideShift() {
        return Long.numberOfTrailingZeros(stride());
    }

    /** Writers drop records when less than this would stay free: 1/16 of the data area. */
    public long margin() {
        return dataSize / 16;
    }

    public long fileSize() {
        return PAGE + rings * (headerSize() + dataSize);
    }

    /** Bytes of address space the whole layout takes. */
    public long virtualSize() {
        return rings * stride() + PAGE;
    }

    /** Offset of ring {@code i}'s header from the base of the mapping. */
    public long ringOffset(int i) {
        return (long) i << strideShift();
    }

    /** Offset of ring {@code i}'s data (first mapping) from the base. */
    public long dataOffset(int i) {
        return ringOffset(i) + headerSize();
    }

    public long controlOffset() {
        return rings * stride();
    }

    /** Offset of event {@code event}'s lost counter in a ring header. */
    public static long lostOffset(int event) {
        return LOST + 8L * event;
    }

    /** One {@code mmap} of the layout: {@code length} bytes of the file from {@code fileOffset} at base + {@code offset}. */
    public record Piece(long offset, long length, long fileOffset) {
    }

    /** The mappings that make the layout, in address order, into address space reserved beforehand. */
    public List<Piece> pieces() {
        List<Piece> out = new ArrayList<>();
        long h = headerSize();
        for (int i = 0; i < rings; i++) {
            long file = PAGE + i * (h + dataSize);
            out.add(new Piece(ringOffset(i), h, file));
            out.add(new Piece(dataOffset(i), dataSize, file + h));
            out.add(new Piece(dataOffset(i) + dataSize, dataSize, file + h));
        }
        out.add(new Piece(controlOffset(), PAGE, 0));
        return out;
    }

    /** The control page's words: magic, rings, data size, header size, stride, events. */
    public long[] controlWords() {
        return new long[] {MAGIC, rings, dataSize, headerSize(), stride(), events};
    }
}
