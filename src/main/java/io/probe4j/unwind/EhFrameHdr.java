package io.probe4j.unwind;

/**
 * {@code .eh_frame_hdr} (the {@code PT_GNU_EH_FRAME} segment): where {@code .eh_frame} is, and a table
 * of (initial location, FDE address) pairs sorted by location, searched by halving as libgcc's
 * unwinder does.
 */
final class EhFrameHdr {
    private final ByteCursor bytes;
    private final long ehFramePtr;
    private final long count;
    private final int tableEncoding;
    private final int tableStart;
    private final int entrySize;

    EhFrameHdr(byte[] section, long vaddr, String what) {
        this.bytes = new ByteCursor(section, vaddr, what);
        ByteCursor c = bytes.slice(0, section.length);
        int version = c.u8();
        if (version != 1) {
            throw new CfiException(what + ": version " + version + " (1 expected)");
        }
        int ptrEnc = c.u8();
        int countEnc = c.u8();
        this.tableEncoding = c.u8();
        PointerEncoding.Bases bases = new PointerEncoding.Bases(0, vaddr, 0);
        this.ehFramePtr = PointerEncoding.read(c, ptrEnc, bases);
        this.count = countEnc == PointerEncoding.OMIT ? 0 : PointerEncoding.read(c, countEnc, bases);
        this.tableStart = c.position();
        int size = PointerEncoding.fixedSize(tableEncoding);
        // Without a fixed-size, hdr-relative table there is nothing to search by halving.
        boolean searchable = tableEncoding != PointerEncoding.OMIT && size > 0
                && ((tableEncoding & 0x70) == PointerEncoding.DATAREL || (tableEncoding & 0x70) == 0);
        this.entrySize = searchable ? 2 * size : 0;
        if (searchable && count > (section.length - tableStart) / entrySize) {
            throw new CfiException(what + ": a table of " + count + " entries does not fit in " + section.length + " bytes");
        }
    }

    /** The link-time address of {@code .eh_frame}. */
    long ehFrameVaddr() {
        return ehFramePtr;
    }

    /** Whether it has a search table (else the FDEs must be scanned). */
    boolean hasTable() {
        return entrySize > 0 && count > 0;
    }

    /**
     * The link-time address of the FDE whose initial location is the greatest not above {@code vaddr},
     * or -1 when {@code vaddr} is below the first. The caller checks the FDE's range.
     */
    long fdeFor(long vaddr) {
        long lo = 0;
        long hi = count - 1;
        long found = -1;
        PointerEncoding.Bases bases = new PointerEncoding.Bases(0, bytes.baseVaddr(), 0);
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            ByteCursor c = bytes.slice(0, bytes.capacity()).seek((int) (tableStart + mid * entrySize));
            long location = PointerEncoding.read(c, tableEncoding, bases);
            if (Long.compareUnsigned(location, vaddr) <= 0) {
                found = PointerEncoding.read(c, tableEncoding, bases);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
