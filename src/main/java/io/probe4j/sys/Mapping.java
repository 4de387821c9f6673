package io.probe4j.sys;

/**
 * One line of {@code /proc/PID/maps}: {@code [start, end)} mapped with {@code perms} ({@code r-xp})
 * from {@code offset} of {@code path} (empty for anonymous memory; {@code [vdso]}, {@code [heap]},
 * {@code [anon:NAME]} for the kernel's special names).
 */
public record Mapping(long start, long end, String perms, long offset, String dev, long inode, String path) {
    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }

    /** Whether this mapping maps the byte at {@code fileOffset} of its file. */
    public boolean holdsFileOffset(long fileOffset) {
        return fileOffset >= offset && fileOffset < offset + (end - start);
    }

    /** The file offset that {@code addr} (inside this mapping) maps. */
    public long fileOffsetOf(long addr) {
        return addr - start + offset;
    }

    /** The address at which this mapping holds {@code fileOffset}, if it does. */
    public long addressOf(long fileOffset) {
        return fileOffset - offset + start;
    }

    /** Parses one line of {@code /proc/PID/maps}. */
    public static Mapping parse(String line) {
        String[] f = line.trim().split("\\s+", 6);
        int dash = f[0].indexOf('-');
        return new Mapping(Long.parseUnsignedLong(f[0], 0, dash, 16), Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16),
                f[1], Long.parseUnsignedLong(f[2], 16), f[3], Long.parseLong(f[4]), f.length > 5 ? f[5] : "");
    }

    @Override
    public String toString() {
        return Long.toHexString(start) + "-" + Long.toHexString(end) + " " + perms + " "
                + String.format("%08x", offset) + " " + dev + " " + inode + " " + path;
    }
}
