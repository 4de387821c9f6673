package io.probe4j.arch.x86_64;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Read-write-execute pages mapped in the test JVM with FFM, where assembled functions are placed
 * and called through downcall handles (tests only: the main code never runs what it generates).
 */
final class ExecutableMemory implements AutoCloseable {
    static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = function("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = function("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final int PROT_RWX = 7;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;

    final MemorySegment memory;
    private long used;

    ExecutableMemory(long size) throws Throwable {
        long at = (long) MMAP.invokeExact(0L, size, PROT_RWX, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        if (at == -1) {
            throw new IllegalStateException("mmap of " + size + " RWX bytes failed");
        }
        memory = MemorySegment.ofAddress(at).reinterpret(size);
    }

    /** A C library function. */
    static MethodHandle function(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    /** The address the next function will be placed at (16-aligned). */
    long next() {
        return memory.address() + ((used + 15) & ~15L);
    }

    /** Assembles {@code body} at {@link #next()}, copies it there and returns a handle that calls it. */
    MethodHandle function(FunctionDescriptor fd, Consumer<Assembler> body) {
        Assembler a = new Assembler(next());
        body.accept(a);
        byte[] code = a.finish();
        long off = a.base() - memory.address();
        MemorySegment.copy(MemorySegment.ofArray(code), 0, memory, off, code.length);
        used = off + code.length;
        return LINKER.downcallHandle(MemorySegment.ofAddress(a.base()), fd);
    }

    @Override
    public void close() {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(memory.address(), memory.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new IllegalStateException("munmap failed");
        }
    }

    /** A function of {@code n} longs returning a long. */
    MethodHandle longs(int n, Consumer<Assembler> body) {
        MemoryLayout[] args = new MemoryLayout[n];
        Arrays.fill(args, JAVA_LONG);
        return function(FunctionDescriptor.of(JAVA_LONG, args), body);
    }
}
