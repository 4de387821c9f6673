package io.probe4j.filter;

import java.util.BitSet;

/**
 * {@code cpulist_parse()} ({@code bitmap_parselist} of {@code lib/bitmap-str.c}) for {@code CPUS{...}}:
 * comma- or space-separated regions {@code N}, {@code N-M}, {@code N-M:USED/GROUP}, {@code all}, with
 * {@code N} standing for the last CPU too. A CPU at or past {@code nr_cpu_ids} makes the list invalid.
 */
final class CpuList {
    private CpuList() {
    }

    /** The CPUs of {@code text}, or null when the kernel refuses it. */
    static BitSet parse(String text, int nbits) {
        BitSet mask = new BitSet(nbits);
        int[] p = {0};
        while (true) {
            while (p[0] < text.length() && endOfRegionStart(at(text, p[0]))) {
                p[0]++;
            }
            if (endOfString(at(text, p[0]))) {
                return mask;
            }
            long[] r = region(text, p, nbits - 1);
            if (r == null) {
                return null;
            }
            long start = r[0];
            long end = r[1];
            long off = r[2];
            long group = r[3];
            if (start > end || group == 0 || off > group || end >= nbits) {
                return null;
            }
            // unsigned 32-bit steps, as the kernel's: a huge group wraps around to the low CPUs
            for (long s = start; s <= end; s = (s + group) & 0xffffffffL) {
                mask.set((int) s, (int) (s + Math.min(end - s + 1, off)));
            }
            if (r[4] != 0) {
                return mask;
            }
        }
    }

    /**
     * One region from {@code p[0]}: {start, end, used, group, last} (last set when the list ends there), or
     * null on a malformed region or a number past 32 bits.
     */
    private static long[] region(String s, int[] p, int lastBit) {
        long start;
        long end;
        if (s.regionMatches(true, p[0], "all", 0, 3)) {
            start = 0;
            end = lastBit;
            p[0] += 3;
        } else {
            start = number(s, p, lastBit);
            if (start < 0) {
                return null;
            }
            if (endOfRegion(at(s, p[0]))) {
                return new long[] {start, start, start + 1, start + 1, endOfString(at(s, p[0])) ? 1 : 0};
            }
            if (at(s, p[0]) != '-') {
                return null;
            }
            p[0]++;
            end = number(s, p, lastBit);
            if (end < 0) {
                return null;
            }
        }
        if (endOfRegion(at(s, p[0]))) {
            return new long[] {start, end, end + 1, end + 1, endOfString(at(s, p[0])) ? 1 : 0};
        }
        if (at(s, p[0]) != ':') {
            return null;
        }
        p[0]++;
        long used = number(s, p, lastBit);
        if (used < 0 || at(s, p[0]) != '/') {
            return null;
        }
        p[0]++;
        long group = number(s, p, lastBit);
        return group < 0 ? null : new long[] {start, end, used, group, 0};
    }

    /** {@code bitmap_getnum}: {@code N} (the last bit) or decimal digits fitting 32 bits; -1 otherwise. */
    private static long number(String s, int[] p, int lastBit) {
        if (at(s, p[0]) == 'N') {
            p[0]++;
            return lastBit & 0xffffffffL;
        }
        long n = 0;
        int digits = 0;
        boolean overflow = false;
        while (Ctype.isDigit(at(s, p[0]))) {
            n = n * 10 + (at(s, p[0]) - '0');
            if (n > 0xffffffffL) {
                overflow = true;
                n = 0xffffffffL + 1;
            }
            p[0]++;
            digits++;
        }
        if (digits == 0 || overflow) {
            return -1;
        }
        return n;
    }

    private static int at(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private static boolean endOfString(int c) {
        return c == 0 || c == '\n';
    }

    private static boolean endOfRegionStart(int c) {
        return Ctype.isSpace(c) || c == ',';
    }

    private static boolean endOfRegion(int c) {
        return endOfRegionStart(c) || endOfString(c);
    }
}
