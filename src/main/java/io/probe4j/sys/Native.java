package io.probe4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The FFM edge: libc downcall handles that capture errno, and per-thread scratch memory so that a
 * system call costs no allocation. Package-private; everything public in {@code io.probe4j.sys}
 * speaks plain Java types.
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    /** Per-thread scratch: the errno capture area and a buffer for out-parameters and I/O. */
    static final class Scratch {
        final MemorySegment state;
        MemorySegment buffer;
        private final Arena arena = Arena.ofAuto();

        Scratch() {
            state = arena.allocate(CALL_STATE);
            buffer = arena.allocate(8192, 16);
        }

        /** A scratch buffer of at least {@code size} bytes (contents undefined). */
        MemorySegment buffer(long size) {
            if (buffer.byteSize() < size) {
                buffer = Arena.ofAuto().allocate(Math.max(size, buffer.byteSize() * 2), 16);
            }
            return buffer;
        }

        int errno() {
            return (int) ERRNO.get(state, 0L);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Native() {
    }

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** A downcall to libc's {@code name} whose first argument is the errno capture segment. */
    static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] opts = new Linker.Option[more.length + 1];
        opts[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, opts, 1, more.length);
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, opts);
    }

    /** A plain downcall to libc's {@code name} (for functions that report errors by return value). */
    static MethodHandle call(String name, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(addr, fd);
    }

    private static final MethodHandle OPEN = errnoCall("open",
            FunctionDescriptor.of(INT, PTR, INT, INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(INT, INT));
    static final int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;

    /** {@code open(path, flags | O_CLOEXEC)}: the descriptor, or a {@link SysException} saying what was being done. */
    static int open(String path, int flags, String doing) {
        Scratch s = scratch();
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(s.state, a.allocateFrom(path), flags | O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw new SysException("open(" + path + ")", s.errno(), doing);
        }
        return fd;
    }

    /** {@code close(fd)}; its result does not matter to us. */
    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Rethrows what a downcall threw: they throw nothing checked in practice. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
