package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.spec.ProbeTarget.Location;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Skip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** PATH:SYMBOL+OFF and PATH:OFFSET made concrete, checked against readelf and objdump. */
class TargetResolverTest {
    private final TargetResolver resolver = new TargetResolver();

    private static ProbeTarget symbol(Path file, String name, long off) {
        return new ProbeTarget(file.toString(), new Location.Symbol(name, off), OptionalLong.empty());
    }

    private static long offsetOf(ProbeTarget t) {
        return ((Location.FileOffset) t.location()).offset();
    }

    private static Oracle.Sym readelf(Path file, String name) {
        return Oracle.symbols(file).stream().filter(s -> s.table().equals(".symtab") && s.name().equals(name))
                .findFirst().orElseThrow();
    }

    /** Boundaries from objdump's disassembly, standing in for the decoder that is not plugged in yet. */
    private static InstructionBoundaries objdumpBoundaries(Path file, Oracle.Sym fn) {
        TreeMap<Long, byte[]> insns = new TreeMap<>(Oracle.instructions(file, fn.value(), fn.size()));
        return (code, offset) -> {
            if (insns.containsKey((long) offset)) {
                return new InstructionBoundaries.Verdict.Boundary();
            }
            var start = insns.floorEntry((long) offset);
            return new InstructionBoundaries.Verdict.Inside(start.getKey().intValue(),
                    (int) (start.getKey() + start.getValue().length));
        };
    }

    @Test
    void mainResolvesToTheBytesObjdumpShowsAtMain() throws IOException {
        for (Path f : List.of(ElfSegmentsTest.pie(), ElfSegmentsTest.nonPie())) {
            Oracle.Sym main = readelf(f, "main");
            ProbeTarget t = resolver.resolve(symbol(f, "main", 0));
            assertEquals(f.toString(), t.path());
            byte[] file = Files.readAllBytes(f);
            var insns = Oracle.instructions(f, main.value(), main.size());
            assertTrue(insns.size() > 2, insns.toString());
            insns.forEach((off, bytes) -> assertArrayEquals(bytes,
                    Arrays.copyOfRange(file, (int) (offsetOf(t) + off), (int) (offsetOf(t) + off + bytes.length)),
                    f + " main+" + off));
            assertEquals(Oracle.fileOffset(Oracle.segments(f), main.value()), offsetOf(t));
        }
    }

    @Test
    void offsetsInsideAFunctionMustBeInstructionStarts() {
        Path f = ElfSegmentsTest.nonPie();
        Oracle.Sym main = readelf(f, "main");
        TreeMap<Long, byte[]> insns = new TreeMap<>(Oracle.instructions(f, main.value(), main.size()));
        long second = insns.higherKey(0L);
        long mainOffset = Oracle.fileOffset(Oracle.segments(f), main.value());
        TargetResolver withDecoder = new TargetResolver(ObjectFinder.system(), objdumpBoundaries(f, main), false);

        assertEquals(mainOffset + second, offsetOf(withDecoder.resolve(symbol(f, "main", second))));
        assertEquals(mainOffset + second, offsetOf(withDecoder.resolve(
                new ProbeTarget(f.toString(), new Location.FileOffset(mainOffset + second), OptionalLong.empty()))));
        Skip.PLATFORM.unless(second > 1, "the compiler made the first instruction of main one byte long");
        UserException e = assertThrows(UserException.class, () -> withDecoder.resolve(symbol(f, "main", 1)));
        assertEquals(f + ": main+1 is not an instruction boundary: it is inside the instruction at main+0 (the next one "
                + "is at main+" + second + "); a breakpoint there would corrupt the program", e.getMessage());
        e = assertThrows(UserException.class, () -> withDecoder.resolve(
                new ProbeTarget(f.toString(), new Location.FileOffset(mainOffset + 1), OptionalLong.empty())));
        assertTrue(e.getMessage().contains("(main+1) is not an instruction boundary"), e.getMessage());
        // forced: the user takes responsibility
        TargetResolver forced = new TargetResolver(ObjectFinder.system(), objdumpBoundaries(f, main), true);
        assertEquals(mainOffset + 1, offsetOf(forced.resolve(symbol(f, "main", 1))));
    }

    @Test
    void withoutTheDecoderOnlyFunctionStartsAreAccepted() {
        Path f = ElfSegmentsTest.pie();
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "main", 1)));
        assertTrue(e.getMessage().startsWith(f + ": main+1: cannot confirm that an instruction starts there"), e.getMessage());
        assertTrue(e.getMessage().contains("x86-64 instruction decoder"), e.getMessage());
    }

    @Test
    void offsetBeyondTheFunctionIsRefused() {
        Path f = ElfSegmentsTest.pie();
        long size = readelf(f, "elf_add").size();
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "elf_add", size)));
        assertEquals(f + ": elf_add+" + size + ": offset " + size + " is beyond the end of elf_add (" + size
                + " bytes, +0 to +" + (size - 1) + ")", e.getMessage());
    }

    @Test
    void unknownSymbolSuggestsCloseNames() {
        Path f = ElfSegmentsTest.pie();
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "elf_ad", 0)));
        assertTrue(e.getMessage().startsWith(f + ": no symbol elf_ad; did you mean elf_add"), e.getMessage());
    }

    @Test
    void importedSymbolPointsToTheLibrary() {
        Path f = ElfSegmentsTest.pie();
        assertTrue(Oracle.symbols(f).stream().anyMatch(s -> s.ndx().equals("UND") && s.baseName().equals("printf")));
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "printf", 0)));
        assertTrue(e.getMessage().contains("no symbol printf defined here: it is imported"), e.getMessage());
    }

    @Test
    void variablesAreNotFunctions() {
        Path f = ElfSegmentsTest.pie();
        assertEquals("OBJECT", readelf(f, "elf_counter").type());
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "elf_counter", 0)));
        assertEquals(f + ": elf_counter is not a function: it is a GLOBAL OBJECT symbol", e.getMessage());
    }

    @Test
    void twoStaticsOfOneNameAreAmbiguousAndListed() {
        Path src = Path.of("src/test/c/elf_twin_b.c").toAbsolutePath();
        Path f = Fixtures.compileAs("elf_twins", "elf_twin_a.c", src.toString());
        List<Oracle.Sym> twins = Oracle.symbols(f).stream()
                .filter(s -> s.table().equals(".symtab") && s.name().equals("twin")).toList();
        assertEquals(2, twins.size(), "fixture has two local twin()s");
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(symbol(f, "twin", 0)));
        assertTrue(e.getMessage().startsWith(f + ": symbol twin is ambiguous: 2 definitions"), e.getMessage());
        for (Oracle.Sym t : twins) {
            long off = Oracle.fileOffset(Oracle.segments(f), t.value());
            assertTrue(e.getMessage().contains(String.format("0x%x  twin  LOCAL FUNC, %d bytes", off, t.size())),
                    e.getMessage());
        }
    }

    @Test
    void libraryVersionsPreferTheDefaultAndCanBeNamed() {
        Path libc = ElfSymbolsTest.LIBC;
        // a function exported under several versions at different addresses, whose default is a plain FUNC
        Map<String, List<Oracle.Sym>> byName = Oracle.symbols(libc).stream()
                .filter(s -> !s.ndx().equals("UND") && s.name().contains("@"))
                .collect(Collectors.groupingBy(Oracle.Sym::baseName, TreeMap::new, Collectors.toList()));
        var pick = byName.values().stream()
                .filter(l -> l.stream().map(Oracle.Sym::value).distinct().count() > 1)
                .filter(l -> l.stream().anyMatch(s -> s.name().contains("@@") && s.type().equals("FUNC")))
                .filter(l -> l.stream().allMatch(s -> s.type().equals("FUNC")))
                .findFirst();
        Skip.PLATFORM.unless(pick.isPresent(), "libc exports no multi-version FUNC");
        List<Oracle.Sym> versions = pick.get();
        Oracle.Sym dflt = versions.stream().filter(s -> s.name().contains("@@")).findFirst().orElseThrow();
        Oracle.Sym old = versions.stream().filter(s -> !s.name().contains("@@")).findFirst().orElseThrow();
        var segments = Oracle.segments(libc);
        ProbeTarget bare = new ProbeTarget("libc", new Location.Symbol(dflt.baseName(), 0), OptionalLong.empty());
        ProbeTarget resolved = resolver.resolve(bare);
        assertEquals(libc.toString(), resolved.path());
        assertEquals(Oracle.fileOffset(segments, dflt.value()), offsetOf(resolved), dflt.toString());
        assertEquals(Oracle.fileOffset(segments, old.value()), offsetOf(resolver.resolve(
                new ProbeTarget("libc", new Location.Symbol(old.name(), 0), OptionalLong.empty()))), old.toString());
    }

    @Test
    void indirectFunctionsAreRefusedWithTheReason() {
        Oracle.Sym ifunc = Oracle.symbols(ElfSymbolsTest.LIBC).stream().filter(s -> s.type().equals("IFUNC"))
                .findFirst().orElse(null);
        Skip.PLATFORM.unless(ifunc != null, "libc has no IFUNC");
        UserException e = assertThrows(UserException.class, () -> resolver.resolve(
                new ProbeTarget("libc.so.6", new Location.Symbol(ifunc.baseName(), 0), OptionalLong.empty())));
        assertTrue(e.getMessage().contains(ifunc.baseName() + " is an indirect function (IFUNC)"), e.getMessage());
    }

    @Test
    void numericOffsetsStayAndBarePathsBecomeAbsolute() {
        Path ls = ObjectFinder.system().find("ls");
        ProbeTarget t = resolver.resolve(new ProbeTarget("ls", new Location.FileOffset(0x10), OptionalLong.of(0x20)));
        assertEquals(new ProbeTarget(ls.toString(), new Location.FileOffset(0x10), OptionalLong.of(0x20)), t);
        assertTrue(Path.of(t.path()).isAbsolute());
        long size = ElfFile.open(ls).size();
        UserException e = assertThrows(UserException.class,
                () -> resolver.resolve(new ProbeTarget("ls", new Location.FileOffset(size), OptionalLong.empty())));
        assertEquals(String.format("%s: file offset 0x%x is beyond the end of the file (%d bytes)", ls, size, size),
                e.getMessage());
    }
}
