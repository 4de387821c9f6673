package io.probe4j.engine.ring;

/**
 * The layout of one record in a ring, shared by the code that writes it (generated per event) and
 * the consumer. Records are 8-byte aligned and start with a header word:
 *
 * <pre>
 *  bits  0-15  length in bytes (a multiple of 8, header included)
 *  bits 16-30  event id
 *  bit  31     committed
 *  bits 32-63  sequence: the low 32 bits of (ring position / 8)
 * </pre>
 *
 * A writer stores the header twice: right after its {@code lock xadd}, without the committed bit
 * (so the length is known even if the record is never finished), and once every field is written,
 * the byte holding the committed bit (a plain store is a release store on x86-64). The consumer zeroes
 * what it consumed, so a zero header means "not reserved yet"; a sequence that is not the position's
 * means stale or foreign bytes.
 *
 * <pre>
 *  0  header          8  time-stamp counter
 * 16  tid (u32)      20  CPU (u32)
 * 24  pid (u32)      28  0 (u32)
 * 32  return address (return probes only), then the arguments' slots ({@link EventLayout})
 * </pre>
 */
public final class RecordFormat {
    public static final int HEADER = 0, TSC = 8, TID = 16, CPU = 20, PID = 24, RETURN_ADDRESS = 32;
    /** Where the argument slots start for an entry probe and for a return probe. */
    public static final int ENTRY_ARGS = 32, RETURN_ARGS = 40;
    public static final int MAX_EVENTS = 1 << 15;
    public static final long COMMITTED = 1L << 31;
    /** The longest record: the length field's limit. */
    public static final int MAX_LENGTH = 0xfff8;

    private RecordFormat() {
    }

    /** The header of a record of {@code length} bytes of {@code event} at ring position {@code position}, not yet committed. */
    public static long reservedHeader(int length, int event, long position) {
        return length | (long) event << 16 | (position >>> 3) << 32;
    }

    public static int length(long header) {
        return (int) (header & 0xffff);
    }

    public static int event(long header) {
        return (int) (header >>> 16 & 0x7fff);
    }

    public static boolean committed(long header) {
        return (header & COMMITTED) != 0;
    }

    /** Whether {@code header} is the one a writer would store at ring position {@code position}. */
    public static boolean sequenceMatches(long header, long position) {
        return (int) (header >>> 32) == (int) (position >>> 3);
    }
}
