package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A small {@code /proc} file kept open and read again from offset 0 with one {@code pread}: procfs
 * generates the text anew at each read. For values read per probe hit, while the thread waits, so
 * it costs one system call and nothing else (no channel bookkeeping, no allocation).
 */
public final class ProcFile implements AutoCloseable {
    private static final MethodHandle PREAD = Native.errnoCall("pread64",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.PTR, Native.LONG, Native.LONG));

    private final String path;
    private int fd;

    private ProcFile(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Opens {@code path} for reading; a {@link SysException} (ENOENT: the task is gone) if it cannot. */
    public static ProcFile open(String path) {
        return new ProcFile(path, Native.open(path, Native.O_RDONLY, "opening " + path));
    }

    /** Reads the file from its start into {@code dst}; returns the byte count (ESRCH once the task ended). */
    public int read(byte[] dst) {
        Native.Scratch s = Native.scratch();
        MemorySegment buf = s.buffer(dst.length);
        long n;
        try {
            n = (long) PREAD.invokeExact(s.state, fd, buf, (long) dst.length, 0L);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (n < 0) {
            throw new SysException("pread(" + path + ")", s.errno(), "reading " + path);
        }
        MemorySegment.copy(buf, Native.BYTE, 0, dst, 0, (int) n);
        return (int) n;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Native.close(fd);
            fd = -1;
        }
    }
}
