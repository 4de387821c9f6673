package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Cli;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The USDT notes ({@code .note.stapsdt}) of files nobody here wrote the notes of (gcc's, from
 * {@code <sys/sdt.h>}; the JDK 17 HotSpot's 531), and {@code probe4j list --usdt}, with {@code readelf -n}
 * and readelf's segments as the oracle for the file offsets.
 */
class UsdtNotesTest {
    /** What {@code list --usdt} must print for a note, from readelf: offset, semaphore offset or -, name, arguments. */
    static String expectedLine(Oracle.Stapsdt n, List<Oracle.Segment> segments) {
        String semaphore = n.semaphore() == 0 ? "-" : "0x" + Long.toHexString(writableOffset(segments, n.semaphore()));
        return ("0x" + Long.toHexString(Oracle.fileOffset(segments, n.location())) + " " + semaphore + " "
                + n.provider() + ":" + n.name() + " " + n.arguments()).strip();
    }

    private static long writableOffset(List<Oracle.Segment> segments, long vaddr) {
        for (Oracle.Segment s : segments) {
            if (s.type().equals("LOAD") && s.flags().contains("W") && vaddr >= s.vaddr() && vaddr + 2 <= s.vaddr() + s.fileSize()) {
                return vaddr - s.vaddr() + s.offset();
            }
        }
        throw new AssertionError("no writable LOAD segment holds the semaphore at 0x" + Long.toHexString(vaddr));
    }

    static Path file(String which) {
        return switch (which) {
            case "libjvm" -> UsdtFixtures.requireLibjvm17();
            case "lib" -> UsdtFixtures.lib();
            default -> UsdtFixtures.demo(which);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"O0", "O2", "nopie", "lib", "libjvm"})
    void notesAreWhatReadelfShowsAtTheFileOffsetsOfTheSegments(String which) {
        Path f = file(which);
        List<Oracle.Stapsdt> oracle = Oracle.stapsdt(f);
        List<Oracle.Segment> segments = Oracle.segments(f);
        List<SdtNote> notes = ElfFile.open(f).sdtNotes();
        assertTrue(oracle.size() >= (which.equals("libjvm") ? 500 : 1), "readelf shows " + oracle.size() + " notes");
        assertEquals(oracle.size(), notes.size());
        for (int i = 0; i < notes.size(); i++) {
            Oracle.Stapsdt o = oracle.get(i);
            SdtNote n = notes.get(i);
            assertEquals(o, new Oracle.Stapsdt(n.provider(), n.name(), n.address(), n.base(), n.semaphore(), n.arguments()));
            assertEquals(Oracle.fileOffset(segments, o.location()), n.offset(), n.qualifiedName());
            assertEquals(o.semaphore() == 0 ? -1 : writableOffset(segments, o.semaphore()), n.semaphoreOffset().orElse(-1),
                    n.qualifiedName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"O2", "lib", "libjvm"})
    void listUsdtPrintsEveryPlaceSortedByName(String which) {
        Path f = file(which);
        List<Oracle.Segment> segments = Oracle.segments(f);
        List<Oracle.Stapsdt> oracle = new ArrayList<>(Oracle.stapsdt(f));
        oracle.sort(Comparator.comparing((Oracle.Stapsdt n) -> n.provider() + ":" + n.name())
                .thenComparingLong(n -> Oracle.fileOffset(segments, n.location())));
        List<String> expected = oracle.stream().map(n -> expectedLine(n, segments)).toList();
        Cli.Result r = Cli.run("list", "--usdt", f.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(expected, r.out().lines().map(l -> l.strip().replaceAll(" +", " ")).toList());
    }

    @Test
    void listUsdtFiltersByGlobAndSaysWhenNothingMatches() {
        Path f = UsdtFixtures.demo("O2");
        Cli.Result r = Cli.run("list", "--usdt", f.toString(), "plain:*");
        assertEquals(List.of("plain:constants", "plain:indexed", "plain:tls"),
                r.out().lines().map(l -> l.strip().split(" +")[2]).toList());
        Cli.Result none = Cli.run("list", "--usdt", f.toString(), "nosuch:*");
        assertEquals(1, none.status());
        assertEquals(f + ": no USDT probes matching nosuch:*", none.err().strip());
        Cli.Result plain = Cli.run("list", "--usdt", "/bin/true");
        assertEquals(1, plain.status());
        assertEquals("/bin/true: no USDT probes (no .note.stapsdt notes)", plain.err().strip());
    }

    @Test
    @Tag("integration")
    void listUsdtOfAProcessCoversEveryFileItMaps() throws Exception {
        Path demo = UsdtFixtures.demo("O2");
        Path lib = UsdtFixtures.lib();
        Process p = new ProcessBuilder(demo.toString(), "dlopen:" + lib, "wait").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            assertEquals("lib sem=0", out.readLine());
            assertEquals("waiting sem=0", out.readLine());
            List<String> expected = new ArrayList<>();
            java.util.Set<String> files = new java.util.LinkedHashSet<>();
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + p.pid() + "/maps"))) {
                String[] f = line.split("\\s+", 6);
                if (f[1].charAt(2) == 'x' && f.length == 6 && f[5].startsWith("/")) {
                    files.add(f[5]);
                }
            }
            for (String file : files) {
                List<Oracle.Segment> segments = Oracle.segments(Path.of(file));
                for (Oracle.Stapsdt n : Oracle.stapsdt(Path.of(file))) {
                    String[] e = expectedLine(n, segments).split(" ", 4);
                    expected.add(e[0] + " " + e[1] + " " + file + ":" + e[2] + (e.length > 3 ? " " + e[3] : ""));
                }
            }
            assertTrue(files.stream().anyMatch(f -> f.contains("libc.so")), files.toString()); // no notes in Debian's
            Cli.Result r = Cli.run("list", "--usdt", Long.toString(p.pid()));
            assertEquals(0, r.status(), r.err());
            List<String> got = r.out().lines().map(l -> l.strip().replaceAll(" +", " ")).toList();
            assertEquals(expected.stream().sorted(Comparator.comparing((String l) -> l.split(" ")[2])
                    .thenComparing(l -> Long.parseLong(l.split(" ")[0].substring(2), 16))).toList(), got);
            assertTrue(got.stream().anyMatch(l -> l.contains(demo + ":demo:tick ")), "the program's own probes");
            assertTrue(got.stream().anyMatch(l -> l.contains(lib + ":lib:call ")), "the loaded library's probes");
        } finally {
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
            assertEquals(0, p.waitFor());
        }
    }
}
