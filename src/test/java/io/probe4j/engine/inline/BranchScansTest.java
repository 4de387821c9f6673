package io.probe4j.engine.inline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.elf.ElfFile;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The branch scans kept on disk: the next run reads what the last swept, for the same file only; a
 * changed file, a damaged or unwritable cache all end in a fresh sweep, never in a wrong scan.
 */
class BranchScansTest {
    @TempDir
    Path tmp;

    private static byte[] swept(Path file) {
        return BranchTargets.scan(BranchTargets.regions(ElfFile.open(file))).toBytes();
    }

    private static byte[] through(BranchScans scans, Path file) {
        return scans.of(file, ElfFile.open(file)).toBytes();
    }

    private Path program(String name, String source) throws Exception {
        Path p = tmp.resolve(name);
        Files.copy(Fixtures.compile(source), p, StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    @Test
    void theNextRunReadsTheScanTheLastOneSwept() throws Exception {
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6").toRealPath();
        Path dir = tmp.resolve("cache");
        byte[] fresh = swept(libc);
        assertArrayEquals(fresh, through(new BranchScans(dir, "build-1"), libc), "the first run sweeps");
        try (var kept = Files.list(dir)) {
            assertEquals(1, kept.count(), "one scan kept");
        }
        // the kept scan is what the next run gets: make it recognisably another (a fixture's) and see it come back
        Path kept = Files.list(dir).findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(kept);
        byte[] other = swept(Fixtures.compile("probe_calls.c"));
        int header = bytes.length - fresh.length;
        byte[] planted = Arrays.copyOf(bytes, header + other.length);
        System.arraycopy(other, 0, planted, header, other.length);
        Files.write(kept, planted);
        assertArrayEquals(other, through(new BranchScans(dir, "build-1"), libc), "read from the cache, not swept");
        Path former = Files.write(dir.resolve("0".repeat(64)), bytes); // a scan of format 1
        Path otherFile = dir.resolve(Files.list(dir).filter(p -> !p.equals(former)).findFirst().orElseThrow().getFileName()
                .toString().replaceFirst("^[0-9a-f]{16}", "0123456789abcdef")); // another file's scan
        Files.write(otherFile, bytes);
        assertArrayEquals(fresh, through(new BranchScans(dir, "build-2"), libc), "another build of probe4j sweeps again");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(otherFile.getFileName().toString()), left.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(kept.getFileName().toString().substring(0, 17))).toList(),
                    "the scans of the file by other builds, and those of an older format, are gone; other files' stay");
        }
        try (var left = Files.list(dir)) {
            assertEquals(2, left.count(), "one scan of the file, one of another");
        }
    }

    @Test
    void aChangedFileIsSweptAgain() throws Exception {
        Path dir = tmp.resolve("cache");
        Path prog = program("prog", "probe_calls.c");
        byte[] before = through(new BranchScans(dir, "b"), prog);
        Files.copy(Fixtures.compile("probe_threads.c", "-pthread"), prog, StandardCopyOption.REPLACE_EXISTING);
        byte[] after = through(new BranchScans(dir, "b"), prog);
        assertArrayEquals(swept(prog), after);
        assertEquals(false, Arrays.equals(before, after), "the two programs differ");
    }

    @Test
    void aDamagedCacheOrOneThatCannotBeWrittenCostsOnlyTheSweep() throws Exception {
        Path dir = tmp.resolve("cache");
        Path prog = program("prog", "probe_calls.c");
        byte[] fresh = swept(prog);
        through(new BranchScans(dir, "b"), prog);
        Path kept = Files.list(dir).findFirst().orElseThrow();
        for (int cut : List.of(0, 10, (int) Files.size(kept) - 1)) {
            Files.write(kept, Arrays.copyOf(Files.readAllBytes(kept), cut));
            assertArrayEquals(fresh, through(new BranchScans(dir, "b"), prog), "cut at " + cut);
        }
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x").resolve("cache");
        assertArrayEquals(fresh, through(new BranchScans(notADirectory, "b"), prog));
        assertArrayEquals(fresh, through(new BranchScans(dir, null), prog), "no build known: no cache");
    }

    @Test
    void theBytesOfAScanReadBackToTheSameScanAndGarbageIsRefused() {
        byte[] bytes = swept(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
        assertArrayEquals(bytes, BranchTargets.fromBytes(bytes).toBytes());
        assertThrows(IllegalArgumentException.class, () -> BranchTargets.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> BranchTargets.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> BranchTargets.fromBytes(new byte[] {(byte) 0xff, (byte) 0xff, 1}));
    }
}
