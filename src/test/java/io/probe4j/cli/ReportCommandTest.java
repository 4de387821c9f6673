package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.inline.Losses;
import io.probe4j.engine.inline.RecordBatch;
import io.probe4j.engine.inline.RecordingWriter;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.testing.Cli;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code probe4j report} on recordings that are not whole: a clear error, exit status 1, never a stack trace. */
class ReportCommandTest {
    static final int PID = InlineEventsTest.PID;

    /** A recording of two batches of records, written as a trace writes it; {@code lost}: the end block's count. */
    static byte[] recording(long lost) throws Exception {
        Path file = Files.createTempFile("probe4j-report", ".bin");
        RecordingWriter w = new RecordingWriter(file, InlineEventsTest.DEFINITIONS, InlineEventsTest.clock());
        for (int b = 0; b < 2; b++) {
            ByteBuffer records = ByteBuffer.allocate(48 * 10).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < 10; k++) {
                records.putLong(RecordFormat.reservedHeader(48, 0, 0) | RecordFormat.COMMITTED).putLong(2_000_000_000L + 1000L * k)
                        .putInt(PID).putInt(0).putInt(PID).putInt(0).putLong(k).putLong(-k);
            }
            w.records(new RecordBatch(records.array(), records.position(), 10, List.of(new RecordBatch.Name(0, PID, "worker")),
                    List.of(new RecordBatch.Site(0, PID, 0, InlineEventsTest.SITES.address(PID, 0)))));
            w.release(Long.MAX_VALUE);
        }
        w.end(new Losses(new long[] {lost, 0}, 0, 0));
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    static Cli.Result report(byte[] bytes) throws Exception {
        Path file = Files.createTempFile("probe4j-report", ".bin");
        try {
            Files.write(file, bytes);
            return Cli.run("report", file.toString());
        } finally {
            Files.delete(file);
        }
    }

    static void assertClearError(Cli.Result r, String says) {
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("probe4j report: ") && r.err().contains(says), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void aWholeRecordingPrintsItsEventsAndItsLosses() throws Exception {
        Cli.Result r = report(recording(7));
        assertEquals(0, r.status(), r.err());
        assertEquals(20, r.out().lines().filter(l -> l.contains(" ev0: (0x5000) a=")).count(), r.out());
        assertTrue(r.out().contains("          worker-" + PID), r.out());
        assertEquals("probe4j: warning: the inline engine lost 7 records of grp/ev0 (its ring was full: the reader did not keep up)\n",
                r.err());
    }

    @Test
    void aRecordingCutShortAnywhereSaysSoAfterTheEventsBeforeTheCut() throws Exception {
        byte[] whole = recording(0);
        for (int length = 0; length < whole.length; length++) {
            Cli.Result r = report(Arrays.copyOf(whole, length));
            assertEquals(1, r.status(), length + " bytes: " + r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
            assertTrue(r.err().contains("cut short") || r.err().contains("not a recording") || r.err().contains("header block"),
                    length + " bytes: " + r.err());
        }
        Cli.Result half = report(Arrays.copyOf(whole, whole.length - 20));
        assertEquals(20, half.out().lines().filter(l -> l.contains(" ev0: ")).count(), "the events before the cut: " + half.out());
    }

    @Test
    void aDamagedRecordIsNamedWithItsBlock() throws Exception {
        byte[] bytes = recording(0);
        int first = indexOf(bytes, RecordFormat.reservedHeader(48, 0, 0) | RecordFormat.COMMITTED);
        bytes[first] = 0x13; // a length that is not a multiple of 8
        assertClearError(report(bytes), "is damaged (a record at byte 0 of the batch has no valid length)");
        byte[] foreign = recording(0);
        foreign[first + 2] = 9; // event 9: no such probe
        assertClearError(report(foreign), "is damaged (a record of event 9, which no probe has)");
    }

    @Test
    void notARecordingOrNoFile() throws Exception {
        assertClearError(report("# tracer: nop\n".getBytes()), "not a recording of probe4j's inline engine");
        assertClearError(Cli.run("report", "/nonexistent/recording"), "cannot read /nonexistent/recording");
    }

    @Test
    void binaryRecordsOnlyTheInlineEngineToAFile() {
        Cli.Result trap = Cli.run("trace", "--engine", "trap", "--format", "binary", "-o", "/tmp/x", "p:ev /bin/true:0x10", "--", "/bin/true");
        assertEquals(2, trap.status());
        assertTrue(trap.err().contains("--format binary records the inline engine's records to a file"), trap.err());
        Cli.Result noFile = Cli.run("trace", "--engine", "inline", "--format", "binary", "p:ev /bin/true:0x10", "--", "/bin/true");
        assertEquals(2, noFile.status());
    }

    private static int indexOf(byte[] b, long word) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 8 <= b.length; i++) {
            if (bb.getLong(i) == word) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
