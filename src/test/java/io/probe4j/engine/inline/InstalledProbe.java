package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.Trampoline;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.MappedMemory;
import java.util.Arrays;

/**
 * An entry probe placed into the test JVM's copy of the fixture library: a trampoline in a page
 * mapped near the function (and a data page after it holding the pid), and the function's first
 * bytes patched with the jump to it. {@link #close()} puts the bytes back.
 */
final class InstalledProbe implements AutoCloseable {
    private static final long PAGE = 4096;
    final Trampoline trampoline;
    private final long area;
    private boolean closed;

    private InstalledProbe(Trampoline trampoline, long area) {
        this.trampoline = trampoline;
        this.area = area;
    }

    /**
     * Plans, generates and patches an entry probe at {@code function + offset} recording {@code event} into
     * {@code rings}; the flags are kept except at the function's entry.
     */
    static InstalledProbe entry(LoadedLibrary lib, String function, int offset, EventLayout event, RingMapping rings)
            throws Exception {
        return entry(lib, function, offset, event, rings, offset != 0, ThisThread.layout());
    }

    /** As above, choosing whether the flags are kept and how the thread and CPU are found. */
    static InstalledProbe entry(LoadedLibrary lib, String function, int offset, EventLayout event, RingMapping rings,
            boolean keepFlags, TrampolineGenerator.ThreadLayout thread) {
        JumpSite site = lib.plan(function, offset);
        if (!(site instanceof JumpSite.Patchable p)) {
            throw new IllegalStateException(function + "+" + offset + ": " + ((JumpSite.Refused) site).reason());
        }
        JumpSite.Patchable at = p.movedBy(lib.bias);
        long area = LocalMemory.mapNear(at.address(), 2 * PAGE, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE);
        long pidWord = area + PAGE;
        try (MappedMemory m = MappedMemory.at(pidWord, 8)) {
            m.setLong(0, ProcessHandle.current().pid());
        }
        long fileDelta = at.address() - lib.elf.fileOffsetOf(p.address()).orElseThrow();
        TrampolineGenerator.Probe probe = new TrampolineGenerator.Probe(at, event, fileDelta, keepFlags, pidWord);
        Trampoline t = TrampolineGenerator.entry(area, probe,
                new TrampolineGenerator.Rings(rings.base(), rings.layout()), thread);
        try (MappedMemory m = MappedMemory.at(area, PAGE)) {
            m.write(0, t.code());
        }
        LocalMemory.protect(area, PAGE, LocalMemory.PROT_READ | LocalMemory.PROT_EXEC);
        write(t.site(), t.patch(), t.original());
        return new InstalledProbe(t, area);
    }

    /** Writes {@code bytes} over {@code expected} at {@code address} in text (made writable for the moment). */
    static void write(long address, byte[] bytes, byte[] expected) {
        try (MappedMemory text = MappedMemory.at(address, bytes.length)) {
            byte[] now = new byte[bytes.length];
            text.read(0, now, 0, now.length);
            if (!Arrays.equals(now, expected)) {
                throw new IllegalStateException("the site does not hold the bytes planned for");
            }
            LocalMemory.protect(address, bytes.length, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE | LocalMemory.PROT_EXEC);
            text.write(0, bytes);
            LocalMemory.protect(address, bytes.length, LocalMemory.PROT_READ | LocalMemory.PROT_EXEC);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            write(trampoline.site(), trampoline.original(), trampoline.patch());
            LocalMemory.unmap(area, 2 * PAGE);
        }
    }
}
