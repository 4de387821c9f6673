package io.probe4j.elf;

/**
 * One ELF64 program header (segment), as {@code readelf -l} shows it.
 *
 * @param type    {@code p_type}, e.g. {@link #PT_LOAD}
 * @param flags   {@code p_flags}: {@link #PF_X}, {@link #PF_W}, {@link #PF_R}
 * @param offset  where the segment starts in the file
 * @param vaddr   where it starts in the link-time address space
 * @param paddr   {@code p_paddr} (unused on Linux)
 * @param fileSize bytes taken from the file
 * @param memSize  bytes in memory (larger than fileSize for .bss)
 * @param align   {@code p_align}
 */
public record ProgramHeader(long type, int flags, long offset, long vaddr, long paddr, long fileSize,
                            long memSize, long align) {
    public static final long PT_LOAD = 1;
    public static final long PT_DYNAMIC = 2;
    public static final long PT_INTERP = 3;
    public static final long PT_NOTE = 4;
    /** The {@code .eh_frame_hdr} of a linked file (what unwinders find the call-frame information by). */
    public static final long PT_GNU_EH_FRAME = 0x6474e550L;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    /** True when file offset {@code fileOffset} is backed by this segment's file bytes. */
    public boolean containsOffset(long fileOffset) {
        return fileOffset >= offset && fileOffset - offset < fileSize;
    }

    /** True when virtual address {@code address} is backed by this segment's file bytes. */
    public boolean containsVaddr(long address) {
        return address >= vaddr && address - vaddr < fileSize;
    }
}
