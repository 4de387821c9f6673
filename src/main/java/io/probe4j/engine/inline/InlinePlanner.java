package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.JumpSitePlanner;
import io.probe4j.arch.x86_64.ReturnTrampolines;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.arch.x86_64.Trampolines;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.spec.ProbeDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, probe by probe, whether the inline engine can take it, and says why not when it cannot:
 * the jump must fit ({@link JumpSitePlanner}), a return probe must be at a function's first
 * instruction (its entry trampoline swaps the return address, which is only at {@code (%rsp)} there),
 * its code must be generated (every fetch argument compiled, the record within its limit), and a
 * probe with a USDT semaphore stays with the trap engine, which keeps the semaphores.
 */
public final class InlinePlanner {
    /** The most bytes a trampoline may take (an area holds a page per exit trampoline). */
    static final int MAX_CODE = 4096 - 64;

    /** What became of one probe. */
    public sealed interface Decision {
    }

    public record Inline(InlineProbe probe) implements Decision {
    }

    /** The trap engine takes it; {@code reason} says why, for a user. */
    public record Trap(String reason) implements Decision {
    }

    /** One probe to plan: a definition resolved to a file offset; {@code usdtSemaphore} if it has one. */
    public record Request(ProbeDefinition definition, Path file, long fileOffset, boolean usdtSemaphore) {
    }

    private final Map<Path, ElfFile> files = new HashMap<>();
    private final Map<Path, BranchTargets> targets = new HashMap<>();
    private final BranchScans scans = BranchScans.standard();
    private final Map<Path, Long> inodes = new HashMap<>();
    /** The trampolines' templates, one generation per kind (see {@link #generates}). */
    private final Trampolines trampolines = new Trampolines();
    private int next;

    /**
     * A probe's address, as a key. Its own equals and hashCode: a record's are linked at run time through
     * method handles, which a cold JVM interprets, for each of a thousand probes (the path's hash is kept
     * by the path, one object for all the probes of a file).
     */
    private record At(Path file, long offset) {
        @Override
        public boolean equals(Object o) {
            return o instanceof At a && offset == a.offset && file.equals(a.file);
        }

        @Override
        public int hashCode() {
            return file.hashCode() * 31 + Long.hashCode(offset);
        }
    }

    /**
     * The decisions for {@code requests}, in order. Probes at one address share its jump (their
     * trampolines are chained, entry probes first, then at most one return probe): they are all
     * inline or all on the trap engine, whose breakpoint could not sit on a jump.
     */
    public List<Decision> planAll(List<Request> requests) {
        Map<At, List<Integer>> byAddress = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            byAddress.computeIfAbsent(new At(r.file(), r.fileOffset()), k -> new ArrayList<>()).add(i);
        }
        Decision[] out = new Decision[requests.size()];
        for (List<Integer> group : byAddress.values()) {
            int returns = 0; // a loop, not a stream: a thousand groups in a cold JVM
            for (int i : group) {
                returns += requests.get(i).definition().isReturn() ? 1 : 0;
            }
            String why = returns > 1 ? "more than one return probe is at its address (the inline engine chains one)" : null;
            List<Decision> planned = new ArrayList<>();
            int first = next;
            for (int i : group) {
                Request r = requests.get(i);
                Decision d = why != null ? new Trap(why) : plan(r.definition(), r.file(), r.fileOffset(), r.usdtSemaphore());
                planned.add(d);
                if (d instanceof Trap t && why == null) {
                    why = "another probe at its address runs on the trap engine (" + t.reason() + ")";
                }
            }
            if (why != null) {
                next = first; // the ids of the group's probes are given out again
                for (int k = 0; k < group.size(); k++) {
                    out[group.get(k)] = planned.get(k) instanceof Trap t ? t : new Trap(why);
                }
            } else {
                for (int k = 0; k < group.size(); k++) {
                    out[group.get(k)] = planned.get(k);
                }
            }
        }
        return List.of(out);
    }

    /**
     * The decision for {@code d}, resolved to {@code fileOffset} of {@code file}; probes taken get
     * event ids 0, 1, ... in the order they are planned.
     */
    Decision plan(ProbeDefinition d, Path file, long fileOffset, boolean usdtSemaphore) {
        if (usdtSemaphore) {
            return new Trap("it has a USDT semaphore, which the trap engine keeps");
        }
        ElfFile elf = files.computeIfAbsent(file, ElfFile::open);
        if (elf.machine() != ElfFile.EM_X86_64) {
            return new Trap("the inline engine patches x86-64 code only");
        }
        long vaddr = elf.vaddrOf(fileOffset).orElse(-1);
        Optional<ElfSymbol> fn = vaddr < 0 ? Optional.empty() : elf.symbols().functionContaining(vaddr);
        if (fn.isEmpty()) {
            return new Trap(String.format("no function symbol holds file offset 0x%x: the jump needs the whole function "
                    + "decoded", fileOffset));
        }
        ElfSymbol f = fn.get();
        boolean atFunction = vaddr == f.value();
        if (d.isReturn() && !atFunction) {
            return new Trap(String.format("a return probe inline must be at a function's first instruction (this is %s+0x%x)",
                    f.name(), vaddr - f.value()));
        }
        JumpSitePlanner.Function function = new JumpSitePlanner.Function(f.name(), f.value(), elf.functionBytes(f));
        JumpSite site = JumpSitePlanner.plan(function, vaddr, targets.computeIfAbsent(file,
                p -> scans.of(p, elf)));
        if (site instanceof JumpSite.Refused r) {
            return new Trap("no room for the jump: " + r.reason());
        }
        JumpSite.Patchable patchable = (JumpSite.Patchable) site;
        EventLayout layout;
        try {
            layout = EventLayout.of(next, d.isReturn(), d.args());
            String tooBig = generates(patchable, layout, atFunction);
            if (tooBig != null) {
                return new Trap(tooBig);
            }
        } catch (IllegalArgumentException e) {
            return new Trap("its fetch arguments cannot be compiled: " + e.getMessage());
        }
        return new Inline(new InlineProbe(next++, d, file, inodes.computeIfAbsent(file, InlinePlanner::inode), fileOffset, vaddr, patchable, atFunction, layout));
    }

    /**
     * Why the probe's code cannot be generated, or null: its whole code (a return probe's: its exit
     * trampoline) at made-up addresses, where what cannot be compiled shows before any process. The
     * code of a kind is generated once ({@link Trampolines}); another probe of the kind is sized from
     * it: a thousand probes of one wildcard are planned with one generation.
     */
    private String generates(JumpSite.Patchable site, EventLayout layout, boolean atFunction) {
        long at = site.address() + (1L << 20);
        TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(site, layout, 0, !atFunction, at + 8192);
        int size;
        if (layout.isReturn()) {
            size = trampolines.exitSize(at, probe, RINGS, THREAD, STACKS);
        } else if (trampolines.entryBound(at, probe, RINGS, THREAD) <= MAX_CODE) {
            return null; // far below the limit, as nearly every probe: no need of the exact size
        } else {
            size = trampolines.entrySize(at, probe, RINGS, THREAD);
        }
        return size > MAX_CODE ? "its trampoline would take " + size + " bytes, more than the " + MAX_CODE + " allowed" : null;
    }

    /** Made-up rings and thread layout: the code's size does not depend on them (the ring header is whole pages). */
    private static final TrampolineGenerator.Rings RINGS = new TrampolineGenerator.Rings(1L << 40,
            RingLayout.forCpus(1, 1 << 16, io.probe4j.engine.ring.RecordFormat.MAX_EVENTS));
    private static final TrampolineGenerator.ThreadLayout THREAD = new TrampolineGenerator.ThreadLayout(0x2d0, -1);
    private static final ReturnTrampolines.Stacks STACKS = new ReturnTrampolines.Stacks(1L << 41, 1L << 42, (1L << 42) + 4096);

    private static long inode(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new io.probe4j.error.UserException("cannot probe " + file + ": " + e.getMessage());
        }
    }
}
