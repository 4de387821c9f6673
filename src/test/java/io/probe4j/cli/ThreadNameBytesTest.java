package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Skip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's name is 15 bytes to the kernel, not text: it prints them as they are (UTF-8, bytes that are
 * not UTF-8, leading and trailing spaces) right-aligned in 16 columns of bytes. Every engine must print
 * the same bytes as the kernel; JSON, which must be UTF-8, decodes them as it decodes strings.
 */
@Timeout(120)
@Tag("integration")
class ThreadNameBytesTest {
    /** The fixture's names, in the order it calls {@code mark} under them. */
    private static final List<byte[]> NAMES = List.of(
            "w\u00f6rk-\u5de5".getBytes(StandardCharsets.UTF_8),
            new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe},
            "trailing  ".getBytes(StandardCharsets.US_ASCII),
            " lead".getBytes(StandardCharsets.US_ASCII),
            "fifteen-bytes-x".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    /** The first 16 bytes (the TASK column) of each line of the {@code nm_mark} event, in hex. */
    private List<String> taskColumns(String engine) throws IOException {
        Path bin = Fixtures.compile("probe_names.c", "-O0", "-pthread");
        Path out = dir.resolve(engine + ".out");
        Cli.Result r = Cli.run("trace", "--engine", engine, "-o", out.toString(),
                "p:nm_mark " + bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "mark")) + " i=%di:s32",
                "--", bin.toString());
        assertEquals(0, r.status(), r.err());
        assertFalse(r.err().contains("runs on the trap engine"), r.err());
        List<String> columns = new ArrayList<>();
        byte[] all = Files.readAllBytes(out);
        byte[] event = " nm_mark: ".getBytes(StandardCharsets.US_ASCII);
        for (int start = 0, end; start < all.length; start = end + 1) {
            end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            if (contains(all, start, end, event)) {
                columns.add(HexFormat.of().formatHex(all, start, start + 16));
            }
        }
        return columns;
    }

    private static boolean contains(byte[] b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i + what.length <= to; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** What the fixture's names must look like in the TASK column. */
    private static List<String> expected() {
        List<String> columns = new ArrayList<>();
        for (byte[] name : NAMES) {
            byte[] column = new byte[16];
            java.util.Arrays.fill(column, (byte) ' ');
            System.arraycopy(name, 0, column, 16 - name.length, name.length);
            columns.add(HexFormat.of().formatHex(column));
        }
        return columns;
    }

    @Test
    void theKernelEnginePrintsTheNamesBytes() throws IOException {
        Skip.unlessKernel();
        assertEquals(expected(), taskColumns("kernel"));
    }

    @Test
    void theTrapEnginePrintsTheSameBytes() throws IOException {
        assertEquals(expected(), taskColumns("trap"));
    }

    @Test
    void theInlineEnginePrintsTheSameBytes() throws IOException {
        assertEquals(expected(), taskColumns("inline"));
    }

    @Test
    void jsonDecodesTheNamesAsUtf8() {
        Path bin = Fixtures.compile("probe_names.c", "-O0", "-pthread");
        Cli.Result r = Cli.run("trace", "--format", "json", "p:nm_mark " + bin + ":mark", "--", bin.toString());
        assertEquals(0, r.status(), r.err());
        List<String> comms = new ArrayList<>();
        for (String line : r.out().lines().filter(l -> l.startsWith("{")).toList()) {
            comms.add((String) ((Map<?, ?>) MiniJson.parse(line)).get("comm"));
        }
        assertEquals(List.of("w\u00f6rk-\u5de5", "bad\ufffd\ufffd", "trailing  ", " lead", "fifteen-bytes-x"), comms);
    }
}
