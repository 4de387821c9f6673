package io.probe4j.engine.inline;

import io.probe4j.engine.ring.ReturnStacks;
import io.probe4j.engine.ring.EventLayout;
import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.ReturnTrampolines;
import io.probe4j.arch.x86_64.Trampoline;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.MappedMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Return probes placed into the test JVM's copy of the fixture library: one area near the library
 * holds a page of entry trampoline and a page of exit trampoline per probe, then a data page (the
 * pid); the return stacks are a private mapping of their own. {@link #close()} puts the functions'
 * bytes back (the test makes sure no call is in flight).
 */
final class InstalledReturnProbes implements AutoCloseable {
    private static final long PAGE = 4096;
    private final List<Trampoline> entries = new ArrayList<>();
    private final long area;
    private final long size;
    private final long stacks;

    /** One return probe per function, event ids in order. */
    InstalledReturnProbes(LoadedLibrary lib, List<String> functions, List<EventLayout> events, RingMapping rings) throws Exception {
        int n = functions.size();
        size = (2L * n + 1) * PAGE;
        area = LocalMemory.mapNear(lib.address(functions.getFirst()), size, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE);
        stacks = LocalMemory.mapAnonymous(ReturnStacks.size(), LocalMemory.PROT_READ | LocalMemory.PROT_WRITE);
        long pidWord = area + 2L * n * PAGE;
        long exitsFrom = area + n * PAGE;
        ReturnTrampolines.Stacks table = new ReturnTrampolines.Stacks(stacks, exitsFrom, exitsFrom + n * PAGE);
        try (MappedMemory m = MappedMemory.at(area, size)) {
            m.setLong(pidWord - area, ProcessHandle.current().pid());
            for (int i = 0; i < n; i++) {
                JumpSite.Patchable site = ((JumpSite.Patchable) lib.plan(functions.get(i), 0)).movedBy(lib.bias);
                long fileDelta = site.address() - lib.elf.fileOffsetOf(site.address() - lib.bias).orElseThrow();
                long exitAt = exitsFrom + i * PAGE;
                ReturnTrampolines.Exit exit = ReturnTrampolines.exit(exitAt,
                        new TrampolineGenerator.Probe(site, events.get(i), fileDelta, false, pidWord),
                        new TrampolineGenerator.Rings(rings.base(), rings.layout()), ThisThread.layout(), table);
                Trampoline entry = ReturnTrampolines.entry(area + i * PAGE, site, exitAt, table);
                m.write(exitAt - area, exit.code());
                m.write(entry.address() - area, entry.code());
                entries.add(entry);
            }
        }
        LocalMemory.protect(area, 2L * n * PAGE, LocalMemory.PROT_READ | LocalMemory.PROT_EXEC);
        for (Trampoline t : entries) {
            InstalledProbe.write(t.site(), t.patch(), t.original());
        }
    }

    @Override
    public void close() {
        for (Trampoline t : entries) {
            InstalledProbe.write(t.site(), t.original(), t.patch());
        }
        LocalMemory.unmap(area, size);
        LocalMemory.unmap(stacks, ReturnStacks.size());
    }
}
