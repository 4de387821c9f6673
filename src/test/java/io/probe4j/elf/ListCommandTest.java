package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Cli;
import io.probe4j.testing.Cli.Result;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code probe4j list}, with {@code nm -D -S} / {@code nm -S} and readelf's segments as the oracle. */
class ListCommandTest {
    record Line(long offset, long size, String name, boolean ifunc) {
    }

    static Result list(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "list";
        System.arraycopy(args, 0, argv, 1, args.length);
        return Cli.run(argv);
    }

    static List<Line> parse(String out) {
        List<Line> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            String[] f = l.strip().split(" +");
            assertTrue(f[0].startsWith("0x"), l);
            boolean ifunc = f.length == 4 && f[3].equals("[ifunc]");
            assertEquals(ifunc ? 4 : 3, f.length, l);
            lines.add(new Line(Long.parseLong(f[0].substring(2), 16), Long.parseLong(f[1]), f[2], ifunc));
        }
        return lines;
    }

    /**
     * What list must print, from {@code nm}: defined functions (T t W w i, FUNC or IFUNC to readelf), the default version shown bare and other
     * versions as name@VERSION, one line per name and address, sorted by name then address.
     */
    static List<Line> expected(Path file, boolean dynamic, Predicate<String> nameFilter) {
        List<String> cmd = new ArrayList<>(List.of("nm", "-S", "--defined-only"));
        if (dynamic) {
            cmd.add("-D");
        }
        cmd.add(file.toString());
        var segments = Oracle.segments(file);
        // nm's W/w also covers weak data and untyped labels (data_start); readelf says which are FUNC/IFUNC
        Set<String> functions = new java.util.HashSet<>();
        for (Oracle.Sym s : Oracle.symbols(file)) {
            if (!s.ndx().equals("UND") && (s.type().equals("FUNC") || s.type().equals("IFUNC"))) {
                functions.add(s.baseName() + "/" + s.value());
            }
        }
        Map<String, Line> byNameAndAddress = new LinkedHashMap<>();
        for (String l : Oracle.run(cmd.toArray(String[]::new)).split("\n")) {
            String[] f = l.strip().split(" +");
            String type = f.length == 4 ? f[2] : f.length == 3 ? f[1] : "";
            if (!Set.of("T", "t", "W", "w", "i").contains(type)) {
                continue;
            }
            String nmName = f[f.length - 1];
            long vaddr = Oracle.hex(f[0]);
            long size = f.length == 4 ? Oracle.hex(f[1]) : 0;
            boolean dflt = nmName.contains("@@");
            String base = nmName.replaceFirst("@.*", "");
            String shown = dflt || !nmName.contains("@") ? base : nmName;
            if (!nameFilter.test(base) || !functions.contains(base + "/" + vaddr)) {
                continue;
            }
            Line line = new Line(Oracle.fileOffset(segments, vaddr), size, shown, type.equals("i"));
            String key = base + "/" + vaddr;
            if (dflt || !byNameAndAddress.containsKey(key)) {
                byNameAndAddress.put(key, line);
            }
        }
        return byNameAndAddress.values().stream()
                .sorted(Comparator.comparing(Line::name).thenComparingLong(Line::offset)).toList();
    }

    @Test
    void listsTheExportedFunctionsOfStrippedLs() {
        Result r = list("/bin/ls");
        assertEquals(0, r.status(), r.err());
        List<Line> want = expected(Path.of("/bin/ls"), true, n -> true);
        assertFalse(want.isEmpty());
        assertEquals(want, parse(r.out()));
    }

    @Test
    void listsLibcFunctionsMatchingAGlob() {
        Result r = list("libc", "str*");
        assertEquals(0, r.status(), r.err());
        List<Line> want = expected(ElfSymbolsTest.LIBC, true, n -> n.startsWith("str"));
        assertTrue(want.size() > 20, want.toString());
        assertEquals(want, parse(r.out()));
    }

    @Test
    void listsLocalFunctionsFromSymtab() {
        Path f = Fixtures.compile("elf_ifunc.c");
        Result r = list(f.toString());
        assertEquals(0, r.status(), r.err());
        List<Line> got = parse(r.out());
        assertEquals(expected(f, false, n -> true), got);
        assertTrue(got.stream().anyMatch(l -> l.name().equals("elf_twice") && l.ifunc()), r.out());
    }

    @Test
    void noMatchIsStatusOneWithAMessage() {
        Result r = list("libc", "no_such_function_p4j*");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals(ElfSymbolsTest.LIBC + ": no function matches no_such_function_p4j*\n", r.err());
    }

    @Test
    void unknownFileIsAUserError() {
        Result r = list("/no/such/file");
        assertEquals(2, r.status());
        assertEquals("/no/such/file: no such file\n", r.err());
    }

    @Test
    @Tag("bench") // prints a figure; speed is not asserted in tests
    void openingAndListingLibc() {
        // warm up the JIT a little, then time open + symbol table + listing of every function
        for (int i = 0; i < 5; i++) {
            ElfFile.open(ElfSymbolsTest.LIBC).symbols().functions();
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            int n = ElfFile.open(ElfSymbolsTest.LIBC).symbols().functions().size();
            best = Math.min(best, System.nanoTime() - t0);
            assertTrue(n > 1000);
        }
        System.out.printf("open + list libc: %.2f ms%n", best / 1e6);
    }
}
