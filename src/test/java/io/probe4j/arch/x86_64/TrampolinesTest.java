package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trampolines copied from templates are byte for byte those generated whole: code, patch, original
 * bytes and fault table (and the sizes the planner asks for are theirs, the bounds an area is sized by
 * at least theirs), for the sites of libc (function entries and instructions inside functions:
 * RIP-relative operands, calls, branches displaced), fetch arguments of every kind, entry and return
 * probes, chained trampolines, event ids, pid words, file deltas and exit trampolines of every form
 * the assembler encodes differently.
 */
class TrampolinesTest {
    static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    /** Where a shared library's code is in a process: far above 4 GiB, so the addresses take 64-bit immediates. */
    static final long LOADED = 0x7f3a_1c40_0000L;
    static final TrampolineGenerator.Rings RINGS = new TrampolineGenerator.Rings(0x7f00_0000_0000L,
            RingLayout.forCpus(4, 1 << 16, 64));
    static final List<TrampolineGenerator.ThreadLayout> THREADS = List.of(new TrampolineGenerator.ThreadLayout(0x2d0, 0x9a4),
            new TrampolineGenerator.ThreadLayout(0x2d0, -1));
    static final int[] EVENTS = {0, 1, 7, 16, 255, 256, 4000, 32767};
    static final String[] ENTRY_ARGS = {"", "a=%di b=%si:s32", "ip=%ip", "file=@+0x1234:u64", "abs=@0x601000:u32",
        "chain=+8(+16(%si)):u16 neg=-8(%sp):s8", "s=+0(%di):string", "u=+0(%si):ustring t=+0(%dx):string",
        "arr=+0(%sp):u8[4] words=+8(%di):x32[3]", "st=$stack3 sp=$stack", "c=$comm", "f=%flags", "bf=+0(%di):b3@4/32",
        "ss=+0(%si):string[2]", "imm=\\123 ax=%ax cx=%cx r9=%r9 r12=%r12 bp=%bp", "far=+0x12345678(%di):u64"};
    static final String[] RETURN_ARGS = {"", "r=$retval", "r=$retval:s32 s=+0(%ax):string ip=%ip", "file=@+0x40:u32 c=$comm"};

    static List<JumpSite.Patchable> sites;

    @BeforeAll
    static void plan() {
        Assumptions.assumeTrue(Files.exists(LIBC), LIBC + " is not on this machine");
        ElfFile elf = ElfFile.open(LIBC);
        BranchTargets targets = BranchTargets.scan(BranchTargets.regions(elf));
        sites = new ArrayList<>();
        int n = 0;
        for (ElfSymbol s : elf.symbols().functions()) {
            if (s.size() == 0 || s.isIndirectFunction() || n++ % 23 != 0) {
                continue;
            }
            JumpSitePlanner.Function f = new JumpSitePlanner.Function(s.name(), s.value(), elf.functionBytes(s));
            for (JumpSite site : JumpSitePlanner.planEveryInstruction(f, targets)) {
                if (site instanceof JumpSite.Patchable p) {
                    sites.add(p);
                }
            }
        }
        assertTrue(sites.size() > 2000, "sites: " + sites.size());
    }

    static ProbeDefinition definition(String kind, String args) {
        return (ProbeDefinition) Parser.extended().parseLine(kind + ":t/e " + LIBC + ":0x1000 " + args).orElseThrow();
    }

    /** Site {@code i} at link-time addresses (small: 32-bit immediates) or where a process would map it. */
    static JumpSite.Patchable site(int i) {
        JumpSite.Patchable p = sites.get(i);
        return i % 3 == 0 ? p : p.movedBy(LOADED);
    }

    /** A trampoline's place for site {@code i}: after the site or before it, within reach. */
    static long at(JumpSite.Patchable site, int i) {
        return site.address() < (1L << 32) ? site.address() + 0x10_0000 + 0x1000L * (i % 97)
                : site.address() - 0x4000_0000L + 0x40L * i;
    }

    @Test
    void entryTrampolinesCopiedFromTemplatesAreThoseGeneratedWhole() {
        int made = 0;
        Trampolines trampolines = new Trampolines();
        for (String args : ENTRY_ARGS) {
            ProbeDefinition d = definition("p", args);
            for (int i = 0; i < sites.size(); i += 3) {
                JumpSite.Patchable site = site(i);
                EventLayout layout = EventLayout.of(EVENTS[i % EVENTS.length], false, d.args());
                long at = at(site, i);
                long fileDelta = site.address() - 0x1000 * (i % 5);
                TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(site, layout, fileDelta, i % 2 == 0,
                        at + 0x2000 + 0x1000L * (i % 7));
                TrampolineGenerator.ThreadLayout thread = THREADS.get(i % 2);
                Trampoline whole = TrampolineGenerator.entry(at, probe, RINGS, thread);
                assertEquals(whole.code().length, trampolines.entrySize(at, probe, RINGS, thread), args + " at site " + i);
                assertTrue(trampolines.entryBound(at, probe, RINGS, thread) >= whole.code().length, args + " at site " + i);
                same(args + " at site " + i, whole, trampolines.entry(at, probe, RINGS, thread));
                made++;
            }
        }
        assertTrue(trampolines.generated() * 50 < made, trampolines.generated() + " of " + made + " generated whole");
    }

    @Test
    void chainedTrampolinesAreCopiedAsWell() {
        Trampolines trampolines = new Trampolines();
        ProbeDefinition d = definition("p", "a=%di");
        for (int i = 0; i < 400; i++) {
            JumpSite.Patchable site = site(i);
            long at = at(site, i);
            long next = at + 0x200 + 0x31L * i;
            int rel = (int) (next - (site.address() + 5));
            byte[] jmp = {(byte) 0xe9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
            JumpSite.Patchable chained = new JumpSite.Patchable(site.address(), List.of(Decoder.decode(jmp, site.address())));
            TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(chained, EventLayout.of(i, false, d.args()),
                    0, false, at + 0x1000);
            same("chained at site " + i, TrampolineGenerator.entry(at, probe, RINGS, THREADS.getFirst()),
                    trampolines.entry(at, probe, RINGS, THREADS.getFirst()));
        }
        assertTrue(trampolines.generated() < 5, trampolines.generated() + " generated whole");
    }

    @Test
    void returnProbesEntryAndExitTrampolinesCopiedFromTemplatesAreThoseGeneratedWhole() {
        int made = 0;
        Trampolines trampolines = new Trampolines();
        for (String args : RETURN_ARGS) {
            ProbeDefinition d = definition("r", args);
            for (int i = 0; i < sites.size(); i += 5) {
                JumpSite.Patchable site = site(i);
                long at = at(site, i);
                long exitsFrom = site.address() < (1L << 32) ? 0x5000_0000L : LOADED - 0x1000_0000L; // one area a process
                ReturnTrampolines.Stacks stacks = new ReturnTrampolines.Stacks(0x7f10_0000_0000L, exitsFrom,
                        exitsFrom + 0x100_0000);
                long exit = exitsFrom + 0x1000L * (i % 300);
                Trampoline entry = ReturnTrampolines.entry(at, site, exit, stacks);
                assertTrue(trampolines.returnEntryBound(at, site, exit, stacks) >= entry.code().length, "return entry " + i);
                same(args + " return entry at site " + i, entry, trampolines.returnEntry(at, site, exit, stacks));
                TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(site,
                        EventLayout.of(EVENTS[i % EVENTS.length], true, d.args()), site.address() - 0x2000 * (i % 3), false,
                        stacks.exitsTo());
                TrampolineGenerator.ThreadLayout thread = THREADS.get(i % 2);
                ReturnTrampolines.Exit whole = ReturnTrampolines.exit(exit, probe, RINGS, thread, stacks);
                ReturnTrampolines.Exit copy = trampolines.exit(exit, probe, RINGS, thread, stacks);
                String what = args + " exit of site " + i;
                assertEquals(whole.code().length, trampolines.exitSize(exit, probe, RINGS, thread, stacks), what);
                assertEquals(HexFormat.of().formatHex(whole.code()), HexFormat.of().formatHex(copy.code()), what);
                assertEquals(whole.address(), copy.address(), what);
                assertEquals(whole.faults(), copy.faults(), what);
                made += 2;
            }
        }
        assertTrue(trampolines.generated() * 50 < made, trampolines.generated() + " of " + made + " generated whole");
    }

    @Test
    void theListingOfACopyIsThatOfTheCodeGeneratedWhole() {
        Trampolines trampolines = new Trampolines();
        ProbeDefinition d = definition("p", "s=+0(%di):string");
        for (int i = 0; i < 3; i++) {
            JumpSite.Patchable site = site(i);
            long at = at(site, i);
            TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(site, EventLayout.of(i, false, d.args()), 0, true,
                    at + 0x1000);
            String whole = TrampolineGenerator.entry(at, probe, RINGS, THREADS.getFirst()).listing().get();
            assertEquals(whole, trampolines.entry(at, probe, RINGS, THREADS.getFirst()).listing().get());
        }
    }

    static void same(String what, Trampoline whole, Trampoline copy) {
        assertEquals(HexFormat.of().formatHex(whole.code()), HexFormat.of().formatHex(copy.code()), what);
        assertEquals(whole.address(), copy.address(), what);
        assertEquals(whole.site(), copy.site(), what);
        assertArrayEquals(whole.patch(), copy.patch(), what);
        assertArrayEquals(whole.original(), copy.original(), what);
        assertEquals(whole.faults(), copy.faults(), what);
    }
}
