package io.probe4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * An anonymous shared-memory file ({@code memfd_create(2)}) of a fixed size: memory that this
 * process and a traced one both map {@code MAP_SHARED}, e.g. the inline engine's ring buffers.
 * The descriptor is close-on-exec; another process reaches it as {@link #procPath()}.
 */
public final class Memfd implements AutoCloseable {
    private static final MethodHandle MEMFD_CREATE = Native.errnoCall("memfd_create",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.INT));
    private static final MethodHandle FTRUNCATE = Native.errnoCall("ftruncate",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.LONG));
    private static final int MFD_CLOEXEC = 1;

    private final int fd;
    private final long size;
    private boolean closed;

    private Memfd(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /** A new memfd named {@code name} (shown in {@code /proc/PID/maps} as {@code /memfd:NAME}), zero-filled. */
    public static Memfd create(String name, long size) {
        Native.Scratch s = Native.scratch();
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) MEMFD_CREATE.invokeExact(s.state, a.allocateFrom(name), MFD_CLOEXEC);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (fd < 0) {
            throw new SysException("memfd_create(" + name + ")", s.errno(), "creating shared memory");
        }
        int rc;
        try {
            rc = (int) FTRUNCATE.invokeExact(s.state, fd, size);
        } catch (Throwable t) {
            Native.close(fd);
            throw Native.rethrow(t);
        }
        if (rc != 0) {
            int errno = s.errno();
            Native.close(fd);
            throw new SysException("ftruncate(memfd " + name + ")", errno, "sizing shared memory to " + size + " bytes");
        }
        return new Memfd(fd, size);
    }

    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** The path another process opens to reach this memory ({@code /proc/OURPID/fd/FD}). */
    public String procPath() {
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
        }
    }
}
