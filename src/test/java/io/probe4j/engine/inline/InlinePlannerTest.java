package io.probe4j.engine.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The planner's decisions for many probes of one wildcard: a trampoline is generated once per kind
 * (entry or return, the fetch arguments) and the other sites of that kind are sized from it, so the
 * decisions must be exactly those of planning each probe alone, on the real libc, and a kind too big
 * for a trampoline is refused at every site, with its size.
 */
class InlinePlannerTest {
    private static final Path LIBC = libc();

    @Test
    void manyProbesOfOneKindAreDecidedAsEachAlone() {
        List<InlinePlanner.Request> requests = requests(" a=%di:u64 s=+0(%si):string", 400);
        List<String> together = describe(new InlinePlanner().planAll(requests));
        List<String> alone = requests.stream().map(r -> describe(new InlinePlanner().planAll(List.of(r))).getFirst()).toList();
        assertEquals(alone, together);
        assertTrue(together.stream().filter(d -> d.equals("inline")).count() > 300, String.join("\n", together));
    }

    @Test
    void aKindTooBigForATrampolineIsRefusedAtEverySite() {
        String args = IntStream.range(0, 60).mapToObj(i -> " s" + i + "=+" + i + "(%si):string").collect(Collectors.joining());
        List<InlinePlanner.Request> requests = requests(args, 20);
        int tooBig = 0;
        for (InlinePlanner.Decision d : new InlinePlanner().planAll(requests)) {
            InlinePlanner.Trap t = assertInstanceOf(InlinePlanner.Trap.class, d);
            if (!t.reason().startsWith("no room for the jump")) { // a function too short, whatever its arguments
                assertTrue(t.reason().matches("its trampoline would take \\d+ bytes, more than the 4032 allowed"), t.reason());
                tooBig++;
            }
        }
        assertTrue(tooBig >= 10, tooBig + " of 20");
    }

    /** Entry probes with {@code args} on the first {@code n} functions of libc (by address). */
    private static List<InlinePlanner.Request> requests(String args, int n) {
        ElfFile elf = ElfFile.open(LIBC);
        List<ElfSymbol> functions = new ArrayList<>(elf.symbols().functions().stream()
                .filter(f -> f.size() > 0 && f.type() == ElfSymbol.STT_FUNC).toList());
        functions.sort(java.util.Comparator.comparingLong(ElfSymbol::value));
        Parser parser = Parser.kernel();
        List<InlinePlanner.Request> out = new ArrayList<>();
        long last = -1;
        for (ElfSymbol f : functions) {
            if (f.value() == last) {
                continue; // aliases: one probe an address
            }
            last = f.value();
            long off = elf.fileOffsetOf(f.value()).orElseThrow();
            ProbeDefinition d = (ProbeDefinition) parser.parseLine(String.format("p:t/f%d %s:0x%x%s", out.size(), LIBC, off, args))
                    .orElseThrow();
            out.add(new InlinePlanner.Request(d, LIBC, off, false));
            if (out.size() == n) {
                break;
            }
        }
        return out;
    }

    private static List<String> describe(List<InlinePlanner.Decision> decisions) {
        return decisions.stream().map(d -> switch (d) {
            case InlinePlanner.Inline i -> "inline";
            case InlinePlanner.Trap t -> "trap: " + t.reason();
        }).toList();
    }

    private static Path libc() {
        try {
            return Path.of("/lib/x86_64-linux-gnu/libc.so.6").toRealPath();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
