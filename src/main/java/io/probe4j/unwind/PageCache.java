package io.probe4j.unwind;

import java.util.HashMap;
import java.util.Map;

/**
 * The memory one walk reads, a page at a time: a walk reads several words per frame, mostly from the
 * same few stack pages, and each read of another process's memory is a system call. Valid for one
 * walk only (the thread is stopped while it runs).
 */
final class PageCache implements MemoryReader {
    private static final int PAGE = 4096;
    private static final byte[] UNREADABLE = new byte[0];

    private final MemoryReader memory;
    private final Map<Long, byte[]> pages = new HashMap<>();

    PageCache(MemoryReader memory) {
        this.memory = memory;
    }

    @Override
    public int read(long address, byte[] dst) {
        int done = 0;
        while (done < dst.length) {
            long at = address + done;
            long base = at & -PAGE;
            byte[] page = page(base);
            int offset = (int) (at - base);
            int n = Math.min(dst.length - done, page.length - offset);
            if (n <= 0) {
                break;
            }
            System.arraycopy(page, offset, dst, done, n);
            done += n;
        }
        return done;
    }

    private byte[] page(long base) {
        byte[] page = pages.get(base);
        if (page == null) {
            byte[] buf = new byte[PAGE];
            int got = memory.read(base, buf);
            page = got == PAGE ? buf : got <= 0 ? UNREADABLE : java.util.Arrays.copyOf(buf, got);
            pages.put(base, page);
        }
        return page;
    }
}
