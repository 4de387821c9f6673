package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Another process's memory. Reads and writes go through {@code process_vm_readv}/{@code
 * process_vm_writev} (one system call, no stop needed). Those honour page protections, so writes
 * to read-only pages (breakpoints into {@code r-x} text) go through {@code /proc/PID/mem}, which
 * writes like a debugger does (FOLL_FORCE, copy-on-write of private file pages: the file on disk
 * is never changed).
 *
 * <p>The {@code /proc/PID/mem} descriptor is bound to the address space at the time it was opened:
 * call {@link #execHappened()} after the process execs. Not thread-safe.
 */
public final class ProcessMemory implements AutoCloseable {
    private static final MethodHandle READV = Native.errnoCall("process_vm_readv",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.PTR, Native.LONG, Native.PTR, Native.LONG, Native.LONG));
    private static final MethodHandle WRITEV = Native.errnoCall("process_vm_writev",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.PTR, Native.LONG, Native.PTR, Native.LONG, Native.LONG));
    private static final MethodHandle PREAD = Native.errnoCall("pread64",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.PTR, Native.LONG, Native.LONG));
    private static final MethodHandle PWRITE = Native.errnoCall("pwrite64",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.PTR, Native.LONG, Native.LONG));

    private final int pid;
    private int memFd = -1;

    public ProcessMemory(int pid) {
        this.pid = pid;
    }

    /**
     * Which of the {@code pages} pages from {@code addr} (page-aligned) the process has in memory or swapped
     * out, from {@code /proc/PID/pagemap}, without touching them: reading a page the process never touched
     * (through {@code process_vm_readv} or {@code /proc/PID/mem}) makes it resident, so a reader of a large
     * area the process uses little of reads only these. A page pagemap does not tell about counts as touched.
     */
    public boolean[] touchedPages(long addr, int pages) {
        boolean[] out = new boolean[pages];
        java.util.Arrays.fill(out, true);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * pages).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                java.nio.file.Path.of("/proc", String.valueOf(pid), "pagemap"), java.nio.file.StandardOpenOption.READ)) {
            long at = (addr >>> 12) * 8;
            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                // a short read: the rest follows
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            return out;
        }
        b.flip();
        for (int i = 0; i < pages && b.remaining() >= 8; i++) {
            out[i] = (b.getLong() & (3L << 62)) != 0; // bit 63: present, bit 62: swapped
        }
        return out;
    }

    public int pid() {
        return pid;
    }

    /**
     * Reads up to {@code dst.length} bytes at {@code addr}; stops early at the first unreadable page.
     *
     * @return the number of bytes read (0 when the first byte is unreadable)
     */
    public int read(long addr, byte[] dst) {
        if (dst.length == 0) {
            return 0;
        }
        Native.Scratch s = Native.scratch();
        MemorySegment buf = s.buffer(dst.length + 48L);
        MemorySegment iov = buf.asSlice((dst.length + 15) / 16 * 16, 32);
        MemorySegment data = buf.asSlice(0, dst.length);
        long got = vm(READV, s, iov, data, addr, dst.length);
        if (got < 0) {
            if (s.errno() == Errno.EFAULT) {
                return 0;
            }
            throw new SysException("process_vm_readv", s.errno(), "reading " + dst.length + " bytes at 0x"
                    + Long.toHexString(addr) + " in process " + pid);
        }
        MemorySegment.copy(data, Native.BYTE, 0, dst, 0, (int) got);
        return (int) got;
    }

    /**
     * Reads {@code lengths[i]} bytes at {@code addresses[i]} for every {@code i}, with one
     * {@code process_vm_readv} for up to {@value #IOV_BATCH} ranges (a few thousand breakpoints cost a
     * few system calls, not a few thousand). A range the call cannot read (a page without read
     * permission) is read through {@code /proc/PID/mem}; one that cannot be read at all is null.
     */
    public byte[][] readEach(long[] addresses, int[] lengths) {
        byte[][] out = new byte[addresses.length][];
        for (int from = 0; from < addresses.length; from += IOV_BATCH) {
            int n = Math.min(IOV_BATCH, addresses.length - from);
            long total = 0;
            for (int i = 0; i < n; i++) {
                total += lengths[from + i];
            }
            Native.Scratch s = Native.scratch();
            long iovBytes = 16L * n;
            MemorySegment buf = s.buffer(2 * iovBytes + total);
            MemorySegment local = buf.asSlice(0, iovBytes);
            MemorySegment remote = buf.asSlice(iovBytes, iovBytes);
            MemorySegment data = buf.asSlice(2 * iovBytes, total);
            // the iovecs made in an array and copied in once, the data copied out once: a thousand ranges
            // are read before the JIT has compiled this, and each segment access is a chain of calls
            long[] iovecs = new long[4 * n]; // the local ones, then the remote ones
            long at = 0;
            for (int i = 0; i < n; i++) {
                iovecs[2 * i] = data.address() + at;
                iovecs[2 * i + 1] = lengths[from + i];
                iovecs[2 * n + 2 * i] = addresses[from + i];
                iovecs[2 * n + 2 * i + 1] = lengths[from + i];
                at += lengths[from + i];
            }
            MemorySegment.copy(iovecs, 0, buf, Native.LONG, 0, 4 * n);
            long got;
            try {
                got = (long) READV.invokeExact(s.state, pid, local, (long) n, remote, (long) n, 0L);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            byte[] all = new byte[(int) Math.max(0, got)];
            MemorySegment.copy(data, Native.BYTE, 0, all, 0, all.length);
            at = 0;
            for (int i = 0; i < n; i++) {
                int len = lengths[from + i];
                if (at + len <= got) {
                    out[from + i] = java.util.Arrays.copyOfRange(all, (int) at, (int) at + len);
                }
                at += len;
            }
            for (int i = 0; i < n; i++) { // the transfer stops at the first range it cannot read
                if (out[from + i] == null) {
                    try {
                        out[from + i] = readForced(addresses[from + i], lengths[from + i]);
                    } catch (SysException e) {
                        // unreadable: left null for the caller to report
                    }
                }
            }
        }
        return out;
    }

    /** Ranges per {@code process_vm_readv} call: the kernel's {@code IOV_MAX}. */
    private static final int IOV_BATCH = 1024;

    /** Reads exactly {@code len} bytes at {@code addr}, or throws naming the address. */
    public byte[] readFully(long addr, int len) {
        byte[] dst = new byte[len];
        int got = read(addr, dst);
        if (got != len) {
            throw new SysException("process_vm_readv", Errno.EFAULT, "reading " + len + " bytes at 0x"
                    + Long.toHexString(addr) + " in process " + pid + " (only " + got + " readable)");
        }
        return dst;
    }

    /** One little-endian 64-bit word at {@code addr}. */
    public long readLong(long addr) {
        byte[] b = readFully(addr, 8);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * Writes {@code src} at {@code addr}: with {@code process_vm_writev} when the pages are writable,
     * else through {@code /proc/PID/mem}.
     */
    public void write(long addr, byte[] src) {
        if (src.length == 0) {
            return;
        }
        Native.Scratch s = Native.scratch();
        MemorySegment buf = s.buffer(src.length + 48L);
        MemorySegment data = buf.asSlice(0, src.length);
        MemorySegment iov = buf.asSlice((src.length + 15) / 16 * 16, 32);
        MemorySegment.copy(src, 0, data, Native.BYTE, 0, src.length);
        long put = vm(WRITEV, s, iov, data, addr, src.length);
        if (put == src.length) {
            return;
        }
        if (put < 0 && s.errno() != Errno.EFAULT) {
            throw new SysException("process_vm_writev", s.errno(), "writing " + src.length + " bytes at 0x"
                    + Long.toHexString(addr) + " in process " + pid);
        }
        writeForced(addr, src);
    }

    /** Writes through {@code /proc/PID/mem}, also into read-only (e.g. {@code r-x} text) pages. */
    public void writeForced(long addr, byte[] src) {
        Native.Scratch s = Native.scratch();
        // in pieces through a small buffer: a buffer the size of a thousand trampolines (hundreds of KB) is
        // zeroed and faulted in page by page when it is allocated, which costs more than a few more writes
        for (int from = 0; from < src.length; from += WRITE_PIECE) {
            int len = Math.min(WRITE_PIECE, src.length - from);
            MemorySegment data = s.buffer(len);
            MemorySegment.copy(src, from, data, Native.BYTE, 0, len);
            long put;
            try {
                put = (long) PWRITE.invokeExact(s.state, memFd(), data, (long) len, addr + from);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (put != len) {
                throw new SysException("pwrite(/proc/" + pid + "/mem)", put < 0 ? s.errno() : Errno.EIO,
                        "writing " + src.length + " bytes at 0x" + Long.toHexString(addr));
            }
        }
    }

    /** The most bytes {@link #writeForced} writes in one call. */
    private static final int WRITE_PIECE = 64 * 1024;

    /** Reads through {@code /proc/PID/mem}, which also sees pages mapped without read permission. */
    public byte[] readForced(long addr, int len) {
        Native.Scratch s = Native.scratch();
        MemorySegment data = s.buffer(len);
        long got;
        try {
            got = (long) PREAD.invokeExact(s.state, memFd(), data, (long) len, addr);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (got != len) {
            throw new SysException("pread(/proc/" + pid + "/mem)", got < 0 ? s.errno() : Errno.EIO,
                    "reading " + len + " bytes at 0x" + Long.toHexString(addr));
        }
        byte[] out = new byte[len];
        MemorySegment.copy(data, Native.BYTE, 0, out, 0, len);
        return out;
    }

    /** The process exec'ed: its old address space, which an open {@code /proc/PID/mem} still names, is gone. */
    public void execHappened() {
        close();
    }

    @Override
    public void close() {
        if (memFd >= 0) {
            Native.close(memFd);
            memFd = -1;
        }
    }

    private int memFd() {
        if (memFd < 0) {
            memFd = Native.open("/proc/" + pid + "/mem", Native.O_RDWR, "opening the memory of process " + pid);
        }
        return memFd;
    }

    /** One local and one remote iovec, in the 32 bytes at {@code iov}. */
    private long vm(MethodHandle h, Native.Scratch s, MemorySegment iov, MemorySegment local, long remote, long len) {
        iov.set(Native.LONG, 0, local.address());
        iov.set(Native.LONG, 8, len);
        iov.set(Native.LONG, 16, remote);
        iov.set(Native.LONG, 24, len);
        try {
            return (long) h.invokeExact(s.state, pid, iov, 1L, iov.asSlice(16), 1L, 0L);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
