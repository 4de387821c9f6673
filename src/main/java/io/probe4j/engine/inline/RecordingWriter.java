package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.error.UserException;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.NormalForm;
import io.probe4j.spec.ProbeDefinition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code trace --engine inline --format binary}: what the rings and the decoding thread hand over, written as
 * it comes ({@link Recording} says how), the records exactly as they were in the rings. Nothing is decoded
 * here, and the records are written by the reader's thread as it takes them ({@link #direct()}), one system
 * call a batch, so the rings are emptied as fast as the file takes them; {@code report} decodes later. The
 * decoding thread writes the rest (clock, release points, the trap engine's events): every write holds this
 * writer's lock.
 */
public final class RecordingWriter implements RecordStage {
    private final Path path;
    private final FileChannel file;
    /** Small blocks gather here; a batch's records go from its own array. */
    private ByteBuffer small = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private boolean closed;

    /**
     * Starts {@code path} with the inline probes' definitions (by event id) and the clock. A definition whose
     * normal form does not read back as the same record layout cannot be recorded: refused here, before anything runs.
     */
    public RecordingWriter(Path path, List<ProbeDefinition> definitions, TscClock clock) {
        this.path = path;
        List<String> texts = definitions.stream().map(d -> normalForm(d, path)).toList();
        try {
            this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | RuntimeException e) {
            throw new UserException("probe4j trace: cannot write " + path + ": " + e.getMessage());
        }
        small.putLong(Recording.MAGIC);
        ByteBuffer defs = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN).putInt(texts.size());
        for (String t : texts) {
            defs = EventCodec.string(defs, t);
        }
        block(Recording.DEFINITIONS, defs.flip());
        clock(clock);
    }

    private static String normalForm(ProbeDefinition d, Path path) {
        String text = NormalForm.of(d);
        ProbeDefinition back = Recording.parse(text);
        if (back == null || !EventLayout.of(0, back.isReturn(), back.args()).equals(EventLayout.of(0, d.isReturn(), d.args()))) {
            throw new UserException("probe4j trace: " + d.group() + "/" + d.event() + " cannot be recorded to " + path
                    + ": its definition '" + text + "' does not read back as the same record");
        }
        return text;
    }

    @Override
    public boolean direct() {
        return true;
    }

    @Override
    public synchronized void records(RecordBatch batch) {
        ByteBuffer head = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(batch.names().size());
        for (RecordBatch.Name n : batch.names()) {
            head = EventCodec.room(head, 12);
            head.putInt(n.offset()).putInt(n.tid());
            if (n.name() == null) {
                head.putInt(-1);
            } else {
                head = EventCodec.string(head, n.name());
            }
        }
        head = EventCodec.room(head, 4 + 20 * batch.sites().size() + 4);
        head.putInt(batch.sites().size());
        for (RecordBatch.Site s : batch.sites()) {
            head.putInt(s.offset()).putInt(s.pid()).putInt(s.event()).putLong(s.address());
        }
        head.putInt(batch.records());
        head.flip();
        header(Recording.RECORDS, head.remaining() + batch.length());
        small = EventCodec.room(small, head.remaining());
        small.put(head);
        write(small.flip(), ByteBuffer.wrap(batch.data(), 0, batch.length())); // one system call: what waits, the head, the records
        small.clear();
    }

    @Override
    public synchronized void event(ProbeEvent event) {
        block(Recording.EVENT, EventCodec.write(ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN), event).flip());
    }

    @Override
    public synchronized void clock(TscClock clock) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : clock.state()) {
            b.putLong(v);
        }
        block(Recording.CLOCK, b.flip());
    }

    @Override
    public synchronized void release(long until) {
        block(Recording.RELEASE, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(until).flip());
    }

    @Override
    public synchronized void flush() {
        if (!closed) {
            drainSmall();
        }
    }

    @Override
    public synchronized void end(Losses losses) {
        if (closed) {
            return;
        }
        long[] lost = losses.lost();
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * lost.length + 16).order(ByteOrder.LITTLE_ENDIAN).putInt(lost.length);
        for (long n : lost) {
            b.putLong(n);
        }
        block(Recording.END, b.putLong(losses.abandoned()).putLong(losses.resyncs()).flip());
        drainSmall();
        closed = true;
        try {
            file.close();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private void block(int type, ByteBuffer payload) {
        header(type, payload.remaining());
        put(payload);
    }

    private void header(int type, int length) {
        small = EventCodec.room(small, 8);
        small.putInt(type).putInt(length);
    }

    private void put(ByteBuffer payload) {
        if (payload.remaining() > small.capacity() / 2) {
            drainSmall();
            write(payload);
            return;
        }
        if (small.remaining() < payload.remaining()) {
            drainSmall();
        }
        small.put(payload);
    }

    private void drainSmall() {
        write(small.flip());
        small.clear();
    }

    private void write(ByteBuffer b) {
        if (b.remaining() > 0 && small.position() > 0 && b != small) {
            drainSmall();
        }
        write(b, EMPTY);
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Writes {@code a} then {@code b}, gathered. */
    private void write(ByteBuffer a, ByteBuffer b) {
        ByteBuffer[] both = {a, b};
        try {
            while (b.hasRemaining() || a.hasRemaining()) {
                file.write(both);
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private UserException failed(IOException e) {
        return new UserException("probe4j trace: writing " + path + ": " + e.getMessage(), 1);
    }
}
