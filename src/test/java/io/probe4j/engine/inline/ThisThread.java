package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.Assembler;
import io.probe4j.arch.x86_64.Gpr;
import io.probe4j.arch.x86_64.Mem;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.arch.x86_64.Width;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.MappedMemory;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Where glibc keeps this JVM's thread identity, found as the inline engine will find it in a traced
 * process: the {@code %fs} offset that holds the tid on two threads, and {@code __rseq_offset}.
 */
final class ThisThread {
    private static TrampolineGenerator.ThreadLayout layout;

    private ThisThread() {
    }

    static long tid() throws Exception {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** {@code long f(long off)}: the 4 bytes at {@code %fs:off}; made once, by the class loader. */
    private static final class FsLoad {
        static final MethodHandle HANDLE = make();

        private static MethodHandle make() {
            long page = LocalMemory.mapAnonymous(4096, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE | LocalMemory.PROT_EXEC);
            Assembler a = new Assembler(page);
            a.mov(Width.DWORD, Gpr.RAX, new Mem.Based(Mem.Segment.FS, Gpr.RDI, null, 1, 0));
            a.ret();
            try (MappedMemory m = MappedMemory.at(page, 4096)) {
                m.write(0, a.finish());
            }
            return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(page),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        }
    }

    private static List<Integer> tidOffsets() throws Exception {
        long tid = tid();
        List<Integer> found = new ArrayList<>();
        for (int off = 0; off < 0x800; off += 4) {
            long v;
            try {
                v = (long) FsLoad.HANDLE.invokeExact((long) off);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (v == tid) {
                found.add(off);
            }
        }
        return found;
    }

    static synchronized TrampolineGenerator.ThreadLayout layout() throws Exception {
        if (layout == null) {
            List<Integer> offsets = new ArrayList<>(tidOffsets());
            try (var pool = Executors.newSingleThreadExecutor()) {
                offsets.retainAll(pool.submit(ThisThread::tidOffsets).get());
            }
            int rseq = SymbolLookup.libraryLookup("libc.so.6", java.lang.foreign.Arena.global()).find("__rseq_offset")
                    .map(s -> s.reinterpret(8).get(ValueLayout.JAVA_LONG, 0)).map(v -> (int) (v + 4)).orElse(-1);
            layout = new TrampolineGenerator.ThreadLayout(offsets.getFirst(), rseq);
        }
        return layout;
    }
}
