package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic loader's cache {@code /etc/ld.so.cache} written by {@code ldconfig}, in glibc's
 * {@code glibc-ld.so.cache1.1} layout (optionally after the legacy {@code ld.so-1.7.0} table,
 * which older ldconfig versions still wrote first).
 *
 * <p>Layout (little-endian on x86-64): a 48-byte header {@code magic[17] "glibc-ld.so.cache",
 * version[3] "1.1", u32 nlibs, u32 len_strings, u8 flags, u8 pad[3], u32 extension_offset,
 * u32 unused[3]}, then {@code nlibs} 24-byte entries {@code i32 flags, u32 key, u32 value,
 * u32 osversion, u64 hwcap}, where key (the soname) and value (the path) are offsets of
 * NUL-terminated strings counted from the start of that header.
 *
 * @param entries the entries in the cache's order, which is the loader's search order
 */
public record LdSoCache(List<Entry> entries) {
    static final String OLD_MAGIC = "ld.so-1.7.0";
    static final String NEW_MAGIC = "glibc-ld.so.cache1.1";
    static final int FLAG_TYPE_MASK = 0x00ff;
    static final int FLAG_ELF_LIBC6 = 0x0003;
    static final int FLAG_REQUIRED_MASK = 0xff00;
    static final int FLAG_X8664_LIB64 = 0x0300;
    static final int FLAG_AARCH64_LIB64 = 0x0a00;

    public LdSoCache {
        entries = List.copyOf(entries);
    }

    /**
     * One library known to the cache.
     *
     * @param name  the soname ({@code libc.so.6}), the key the loader looks up
     * @param path  where the file is
     * @param flags the kind and architecture ({@code FLAG_ELF_LIBC6 | FLAG_X8664_LIB64} = 0x0303)
     * @param hwcap non-zero for libraries in a glibc-hwcaps subdirectory (used only on CPUs that have it)
     */
    public record Entry(String name, Path path, int flags, long hwcap) {
        /** True for a glibc (libc6) library of this machine's architecture, the only ones the loader uses. */
        public boolean matchesHost() {
            if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6) {
                return false;
            }
            int required = hostFlag();
            return required < 0 || (flags & FLAG_REQUIRED_MASK) == required;
        }
    }

    /** The cache at {@code file}; an empty cache when there is none (the loader copes the same way). */
    public static LdSoCache read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new LdSoCache(List.of());
        } catch (IOException e) {
            throw new UserException(file + ": cannot read the loader cache: " + e.getMessage(), e);
        }
        return parse(data, file.toString());
    }

    static LdSoCache parse(byte[] data, String file) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int base = 0;
        if (startsWith(data, 0, OLD_MAGIC)) {
            // Legacy table first: 12-byte magic, u32 nlibs, 12-byte entries; the new header follows, 8-aligned.
            requireSize(data, 16, file);
            long oldCount = b.getInt(12) & 0xffffffffL;
            long end = 16 + oldCount * 12;
            base = (int) ((end + 7) & ~7L);
        }
        if (!startsWith(data, base, NEW_MAGIC)) {
            throw new UserException(file + ": not a glibc loader cache (no \"" + NEW_MAGIC + "\" header)");
        }
        requireSize(data, base + 48L, file);
        if ((data[base + 28] & 3) == 3) {
            b.order(ByteOrder.BIG_ENDIAN); // flags & 3: 2 little-endian, 3 big-endian, 0 unset (host order)
        }
        long count = b.getInt(base + 20) & 0xffffffffL;
        requireSize(data, base + 48L + count * 24, file);
        List<Entry> out = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int p = base + 48 + i * 24;
            int flags = b.getInt(p);
            String key = string(data, base + (b.getInt(p + 4) & 0xffffffffL), file);
            String value = string(data, base + (b.getInt(p + 8) & 0xffffffffL), file);
            out.add(new Entry(key, Path.of(value), flags, b.getLong(p + 16)));
        }
        return new LdSoCache(out);
    }

    private static boolean startsWith(byte[] data, int at, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (data.length - at < m.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (data[at + i] != m[i]) {
                return false;
            }
        }
        return true;
    }

    private static void requireSize(byte[] data, long size, String file) {
        if (data.length < size) {
            throw new UserException(file + ": truncated loader cache (" + data.length + " bytes, needs " + size + ")");
        }
    }

    private static String string(byte[] data, long at, String file) {
        if (at < 0 || at >= data.length) {
            throw new UserException(file + ": corrupt loader cache: string offset " + at + " outside the file");
        }
        int end = (int) at;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, (int) at, end - (int) at, StandardCharsets.UTF_8);
    }

    /** The architecture flag this machine's loader requires, or -1 when probe4j does not know it. */
    static int hostFlag() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> FLAG_X8664_LIB64;
            case "aarch64" -> FLAG_AARCH64_LIB64;
            default -> -1;
        };
    }
}
