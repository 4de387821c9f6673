package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.RecordFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.sys.MappedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reader's side of the ring protocol, with records written here the way trampolines write them
 * (reserve with an atomic add on the head, store the header, the body, then the committed bit):
 * records that run past the end of the data area arrive whole, a record reserved and never committed
 * (its writer died or left through a signal handler) holds the reader up only for the stall timeout,
 * and a position whose header never came is skipped to the head.
 */
class RingReaderTest {
    static RingMapping rings() {
        return RingMapping.create("probe4j-reader-test", new RingLayout(1, 1 << 16, 4));
    }

    /** Reserves {@code length} bytes on ring 0; stores the reserved header; returns the position. */
    static long reserve(RingMapping r, int length, int event) {
        MappedMemory m = r.memory();
        long pos = m.getAndAddLong(r.layout().ringOffset(0) + RingLayout.HEAD, length);
        m.setLong(at(r, pos), RecordFormat.reservedHeader(length, event, pos));
        return pos;
    }

    static long at(RingMapping r, long pos) {
        return r.layout().dataOffset(0) + (pos & (r.layout().dataSize() - 1));
    }

    /** Fills the body with {@code fill} and commits. */
    static void commit(RingMapping r, long pos, int length, int event, byte fill) {
        MappedMemory m = r.memory();
        byte[] body = new byte[length - 8];
        java.util.Arrays.fill(body, fill);
        m.write(at(r, pos) + 8, body);
        m.setLongRelease(at(r, pos), RecordFormat.reservedHeader(length, event, pos) | RecordFormat.COMMITTED);
    }

    static List<String> read(RingReader reader) {
        List<String> out = new ArrayList<>();
        reader.poll((ring, record, length) -> {
            ByteBuffer b = ByteBuffer.wrap(record, 0, length).order(ByteOrder.LITTLE_ENDIAN);
            long h = b.getLong(0);
            boolean whole = true;
            for (int i = 8; i < length; i++) {
                whole &= record[i] == record[8];
            }
            out.add(RecordFormat.event(h) + ":" + length + ":" + record[8] + (whole ? "" : ":torn"));
        });
        return out;
    }

    @Test
    void recordsRunningPastTheEndOfTheDataAreaArriveWhole() {
        try (RingMapping r = rings()) {
            RingReader reader = new RingReader(r);
            List<String> all = new ArrayList<>();
            int total = 0;
            for (int i = 0; total < 3 * (1 << 16); i++) { // three laps of records of 40 to 232 bytes
                int length = 40 + 8 * (i % 25);
                long pos = reserve(r, length, i % 4);
                commit(r, pos, length, i % 4, (byte) i);
                total += length;
                if (i % 50 == 49) {
                    all.addAll(read(reader));
                }
            }
            all.addAll(read(reader));
            List<String> expected = new ArrayList<>();
            total = 0;
            for (int i = 0; total < 3 * (1 << 16); i++) {
                int length = 40 + 8 * (i % 25);
                expected.add(i % 4 + ":" + length + ":" + (byte) i);
                total += length;
            }
            assertEquals(expected, all);
        }
    }

    @Test
    void aRecordReservedAndNeverCommittedIsSkippedAfterTheStallTimeout() throws Exception {
        try (RingMapping r = rings()) {
            RingReader reader = new RingReader(r);
            reader.stallTimeout(50_000_000);
            long a = reserve(r, 48, 1);
            commit(r, a, 48, 1, (byte) 1);
            reserve(r, 64, 2); // its writer is gone
            long c = reserve(r, 40, 3);
            commit(r, c, 40, 3, (byte) 3);
            assertEquals(List.of("1:48:1"), read(reader)); // waits behind the uncommitted record
            assertEquals(List.of(), read(reader));
            Thread.sleep(80);
            assertEquals(List.of("3:40:3"), read(reader));
            assertEquals(1, reader.abandoned());
        }
    }

    @Test
    void aPositionWhoseHeaderNeverCameIsSkippedToTheHead() throws Exception {
        try (RingMapping r = rings()) {
            RingReader reader = new RingReader(r);
            reader.stallTimeout(50_000_000);
            r.memory().getAndAddLong(r.layout().ringOffset(0) + RingLayout.HEAD, 56); // reserved, then nothing stored
            long b = reserve(r, 40, 2);
            commit(r, b, 40, 2, (byte) 2);
            assertEquals(List.of(), read(reader));
            assertEquals(List.of(), read(reader));
            Thread.sleep(80);
            assertEquals(List.of(), read(reader)); // the committed record after the hole is lost with it
            long c = reserve(r, 40, 3);
            commit(r, c, 40, 3, (byte) 3);
            assertEquals(List.of("3:40:3"), read(reader));
            assertEquals(1, reader.resyncs());
        }
    }
}
