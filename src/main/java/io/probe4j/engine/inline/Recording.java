package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.error.UserException;
import io.probe4j.spec.FileLookup;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording of the inline engine ({@code trace --format binary}, written by {@link RecordingWriter}),
 * read back: {@link #replay} makes the same calls, in the same order, that the trace's decoding thread
 * made on its {@link RecordStage}, so that {@code report} prints the lines the trace would have printed.
 *
 * <p>The file, little-endian: the magic {@code P4JREC02}, then blocks, each a u32 type, a u32 payload
 * length and the payload:
 * <ul>
 * <li>{@link #DEFINITIONS}, first: u32 n, n strings (u32 length, UTF-8): the inline probes' definitions
 *     in the kernel's normal form, by event id (the probed files need not exist when it is read);</li>
 * <li>{@link #CLOCK}, second and whenever it was recalibrated: the {@link TscClock#state()}, 4 × i64;</li>
 * <li>{@link #RECORDS}: u32 n names (u32 offset, u32 tid, string or length -1 for "forgotten"), u32 n sites
 *     (u32 offset, u32 pid, u32 event, i64 address: where a probe is in a process from the record at that offset
 *     on, as the reader took it), u32 number of records, then the records as the rings held them
 *     ({@link RecordFormat}), back to back;</li>
 * <li>{@link #EVENT}: an event of a probe that ran on the trap engine ({@link EventCodec});</li>
 * <li>{@link #RELEASE}: i64: events up to this time went out then;</li>
 * <li>{@link #END}, last: u32 n, the records lost per event id (n × i64), abandoned (i64), resynchronizations (i64).</li>
 * </ul>
 */
public final class Recording implements AutoCloseable {
    /** "P4JREC02" (01, before sites came with the records, is not read: its sites were the engine's when decoded). */
    static final long MAGIC = 0x32304345524a3450L;
    static final long MAGIC_01 = 0x31304345524a3450L;
    static final int DEFINITIONS = 1, CLOCK = 2, RECORDS = 4, EVENT = 5, RELEASE = 6, END = 7;
    /** No block is larger: a batch is 1 MiB. */
    private static final int MAX_BLOCK = 64 << 20;

    private final Path path;
    private final FileChannel in;
    private final List<String> events = new ArrayList<>();
    private final EventDecoder.EventSpec[] specs;
    private final TscClock clock;
    private long blockAt;
    private ByteBuffer payload = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] records = new byte[0];

    private Recording(Path path, FileChannel in) {
        this.path = path;
        this.in = in;
        try {
            ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long m = readFully(magic, 0) ? magic.flip().getLong() : 0;
            if (m == MAGIC_01) {
                throw damaged("a recording of an earlier probe4j (format 01), which this one does not read");
            }
            if (m != MAGIC) {
                throw damaged("not a recording of probe4j's inline engine (trace --engine inline --format binary)");
            }
            blockAt = 8;
            ByteBuffer defs = expect(DEFINITIONS);
            int n = EventCodec.count(defs, 4);
            specs = new EventDecoder.EventSpec[Math.max(1, n)];
            for (int e = 0; e < n; e++) {
                String text = EventCodec.string(defs);
                ProbeDefinition d = parse(text);
                if (d == null) {
                    throw damaged("event " + e + "'s definition '" + text + "' is not one probe4j reads");
                }
                specs[e] = new EventDecoder.EventSpec(EventLayout.of(e, d.isReturn(), d.args()), d.group(), d.event(), 0);
                events.add(d.group() + "/" + d.event());
            }
            clock = TscClock.of(longs(expect(CLOCK), 4));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw damaged("its header block is damaged (" + e.getMessage() + ")");
        }
    }

    /** Opens {@code path} and reads what comes before the records. */
    public static Recording open(Path path) {
        try {
            return new Recording(path, FileChannel.open(path));
        } catch (IOException e) {
            throw new UserException("probe4j report: cannot read " + path + ": " + e.getMessage(), 1);
        }
    }

    /** A definition in the normal form, read without looking at the probed file; null if it is not one. */
    static ProbeDefinition parse(String text) {
        try {
            return new Parser(Parser.Mode.EXTENDED, any -> new FileLookup.Result.Regular()).parseLine(text)
                    .filter(d -> d instanceof ProbeDefinition).map(d -> (ProbeDefinition) d).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code GROUP/NAME} of each event id. */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** A decoder of the recorded records: the recorded clock (it follows each recalibration as it is replayed). */
    public EventDecoder decoder() {
        return new EventDecoder(specs, clock);
    }

    /**
     * Hands every block to {@code stage} in order, up to the end block (then {@link RecordStage#end}); returns
     * what the trace lost. A
     * recording cut short or damaged ends in a {@link UserException} that says where, after {@code stage}
     * got everything before that place.
     */
    public Losses replay(RecordStage stage) {
        while (true) {
            ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (!readFully(header, blockAt)) {
                throw damaged("it ends at byte " + blockAt + " without its end block: the recording was cut short "
                        + "(was probe4j killed while it wrote it?)");
            }
            int type = header.flip().getInt();
            ByteBuffer b = payload(header.getInt());
            try {
                switch (type) {
                    case CLOCK -> {
                        clock.restore(longs(b, 4));
                        stage.clock(clock);
                    }
                    case RECORDS -> stage.records(batch(b));
                    case EVENT -> stage.event(EventCodec.read(b));
                    case RELEASE -> stage.release(b.getLong());
                    case END -> {
                        Losses losses = new Losses(longs(b, EventCodec.count(b, 8)), b.getLong(), b.getLong());
                        stage.end(losses);
                        return losses;
                    }
                    default -> throw new IllegalArgumentException("a block of unknown type " + type);
                }
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw damaged("the block at byte " + blockAt + " is damaged (" + (e.getMessage() == null ? "too short" : e.getMessage()) + ")");
            }
            blockAt += 8 + b.limit();
        }
    }

    /** A RECORDS block's batch, every record's length and event checked. */
    private RecordBatch batch(ByteBuffer b) {
        int n = EventCodec.count(b, 12);
        List<RecordBatch.Name> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int offset = b.getInt();
            int tid = b.getInt();
            int length = b.getInt();
            String name = null;
            if (length != -1) {
                b.position(b.position() - 4);
                name = EventCodec.string(b);
            }
            names.add(new RecordBatch.Name(offset, tid, name));
        }
        int m = EventCodec.count(b, 20);
        List<RecordBatch.Site> sites = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            sites.add(new RecordBatch.Site(b.getInt(), b.getInt(), b.getInt(), b.getLong()));
        }
        int count = b.getInt();
        int length = b.remaining();
        if (records.length < length) {
            records = new byte[length];
        }
        b.get(records, 0, length);
        int seen = 0;
        for (int at = 0; at < length; seen++) {
            long h = length - at < 8 ? 0 : Bytes.getLong(records, at);
            int len = RecordFormat.length(h);
            if (len < RecordFormat.ENTRY_ARGS || (len & 7) != 0 || len > length - at) {
                throw new IllegalArgumentException("a record at byte " + at + " of the batch has no valid length");
            }
            if (RecordFormat.event(h) >= events.size()) {
                throw new IllegalArgumentException("a record of event " + RecordFormat.event(h) + ", which no probe has");
            }
            at += len;
        }
        if (seen != count) {
            throw new IllegalArgumentException(seen + " records where " + count + " were written");
        }
        return new RecordBatch(records, length, count, names, sites);
    }

    private ByteBuffer expect(int type) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (!readFully(header, blockAt) || header.flip().getInt() != type) {
            throw damaged("its header block is missing");
        }
        ByteBuffer b = payload(header.getInt());
        blockAt += 8 + b.limit();
        return b;
    }

    private ByteBuffer payload(int length) {
        if (length < 0 || length > MAX_BLOCK) {
            throw damaged("the block at byte " + blockAt + " says it is " + Integer.toUnsignedString(length) + " bytes long");
        }
        if (payload.capacity() < length) {
            payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        }
        payload.clear().limit(length);
        if (!readFully(payload, blockAt + 8)) {
            throw damaged("it ends inside the block at byte " + blockAt + ": the recording was cut short "
                    + "(was probe4j killed while it wrote it?)");
        }
        return payload.flip();
    }

    private static long[] longs(ByteBuffer b, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getLong();
        }
        return v;
    }

    /** Fills {@code b} from {@code at}; false at the end of the file before it is full. */
    private boolean readFully(ByteBuffer b, long at) {
        try {
            while (b.hasRemaining()) {
                if (in.read(b, at + b.position()) < 0) {
                    return false;
                }
            }
            return true;
        } catch (EOFException e) {
            return false;
        } catch (IOException e) {
            throw new UserException("probe4j report: cannot read " + path + ": " + e.getMessage(), 1);
        }
    }

    private UserException damaged(String what) {
        return new UserException("probe4j report: " + path + ": " + what, 1);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // read only: nothing was lost
        }
    }
}
