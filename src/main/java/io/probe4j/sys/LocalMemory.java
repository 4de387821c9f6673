package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * {@code mmap}, {@code mprotect} and {@code munmap} in this process: address space reserved and
 * then filled with shared mappings of a {@link Memfd} (a ring mapped twice back to back), anonymous
 * memory near an address (code within ±2 GiB of other code). The remote counterpart, inside a
 * traced process, is {@link RemoteSyscall}.
 */
public final class LocalMemory {
    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
    private static final long PAGE = 4096;
    private static final MethodHandle MMAP = Native.errnoCall("mmap", FunctionDescriptor.of(Native.LONG,
            Native.LONG, Native.LONG, Native.INT, Native.INT, Native.INT, Native.LONG));
    private static final MethodHandle MPROTECT = Native.errnoCall("mprotect",
            FunctionDescriptor.of(Native.INT, Native.LONG, Native.LONG, Native.INT));
    private static final MethodHandle MUNMAP = Native.errnoCall("munmap",
            FunctionDescriptor.of(Native.INT, Native.LONG, Native.LONG));

    private LocalMemory() {
    }

    /** Reserves {@code size} bytes of address space, inaccessible and costing no memory, for fixed mappings inside it. */
    public static long reserve(long size) {
        return mmap(0, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0,
                "reserving " + size + " bytes of address space");
    }

    /** Maps {@code length} bytes of {@code file} from {@code fileOffset}, shared and read-write, exactly at {@code address}. */
    public static void mapShared(Memfd file, long fileOffset, long address, long length) {
        mmap(address, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, file.fd(), fileOffset,
                String.format("mapping %d bytes of a memfd (offset 0x%x) at 0x%x", length, fileOffset, address));
    }

    /** Maps {@code size} bytes of anonymous private memory with protection {@code prot}, wherever the kernel likes. */
    public static long mapAnonymous(long size, int prot) {
        return mmap(0, (size + PAGE - 1) & -PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                "mapping " + size + " bytes of anonymous memory");
    }

    /**
     * Maps {@code size} bytes of anonymous private memory with protection {@code prot} within ±2 GiB of
     * {@code near}, at the free gap closest to it.
     */
    public static long mapNear(long near, long size, int prot) {
        long len = (size + PAGE - 1) & -PAGE;
        long at = RemoteSyscall.freeGapNear(Procfs.maps((int) ProcessHandle.current().pid()), near, len);
        return mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0,
                String.format("mapping %d bytes near 0x%x", len, near));
    }

    /** {@code mprotect} of the pages covering {@code [address, address + length)}. */
    public static void protect(long address, long length, int prot) {
        long start = address & -PAGE;
        long len = ((address + length + PAGE - 1) & -PAGE) - start;
        Native.Scratch s = Native.scratch();
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(s.state, start, len, prot);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) {
            throw new SysException("mprotect", s.errno(), String.format("changing the protection of 0x%x..0x%x", start, start + len));
        }
    }

    /** {@code munmap}. */
    public static void unmap(long address, long length) {
        Native.Scratch s = Native.scratch();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(s.state, address, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) {
            throw new SysException("munmap", s.errno(), String.format("unmapping 0x%x (%d bytes)", address, length));
        }
    }

    private static long mmap(long address, long length, int prot, int flags, int fd, long offset, String doing) {
        Native.Scratch s = Native.scratch();
        long got;
        try {
            got = (long) MMAP.invokeExact(s.state, address, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (got == -1) {
            throw new SysException("mmap", s.errno(), doing);
        }
        if (address != 0 && got != address) { // NOREPLACE is a hint before Linux 4.17
            unmap(got, length);
            throw new SysException("mmap", Errno.EEXIST, doing);
        }
        return got;
    }
}
