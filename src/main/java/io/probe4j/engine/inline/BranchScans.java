package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.elf.ElfFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The branch scans of probed files, kept on disk between runs. Planning a jump needs every branch
 * target of the whole file (a {@code .cold} part or a jump table of another function may land inside
 * the bytes the jump replaces): sweeping libc's 2 MB of code takes 0.5–2.5 s of a cold JVM, on every
 * run. The sweep depends only on the file's bytes and on probe4j's decoder, so it is kept under the
 * file's identity (device, inode, size, modification and change times) and probe4j's build, in
 * {@code $XDG_CACHE_HOME/probe4j/branches} ({@code ~/.cache/probe4j/branches}), one scan a file (a new
 * one replaces those of older builds or versions), and read back in place, as perf keeps its build-id cache. A cache that cannot be read or written costs the sweep
 * and nothing else. {@code -Dprobe4j.cache.dir=DIR} puts it elsewhere; {@code none} turns it off.
 */
final class BranchScans {
    private static final byte[] MAGIC = "probe4j branch scan 2\n".getBytes(StandardCharsets.US_ASCII);
    /** Where the scans are kept; null: nowhere. */
    private final Path dir;
    private final String build;

    BranchScans(Path dir, String build) {
        this.dir = build == null ? null : dir;
        this.build = build;
    }

    /** In the user's cache directory (or {@code -Dprobe4j.cache.dir}), for this build of probe4j. */
    static BranchScans standard() {
        String chosen = System.getProperty("probe4j.cache.dir");
        if ("none".equals(chosen)) {
            return new BranchScans(null, null);
        }
        Path base;
        if (chosen != null) {
            base = Path.of(chosen);
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            base = xdg != null && xdg.startsWith("/") ? Path.of(xdg, "probe4j") : Path.of(System.getProperty("user.home"), ".cache", "probe4j");
        }
        return new BranchScans(base.resolve("branches"), build());
    }

    /**
     * The scan of {@code file} (opened as {@code elf}): kept, or swept now and kept. A kept scan is mapped
     * and read in place (decoding libc's cost a cold JVM some 100 ms); a kept file is only ever replaced
     * whole, never written in place, so the mapping stays valid.
     */
    BranchTargets of(Path file, ElfFile elf) {
        String key = dir == null ? null : key(file);
        Path kept = key == null ? null : dir.resolve(prefix(key) + hash(key));
        if (kept != null) {
            try (FileChannel ch = FileChannel.open(kept, StandardOpenOption.READ)) {
                byte[] header = header(key);
                MappedByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                byte[] found = new byte[Math.min(header.length, bytes.capacity())];
                bytes.get(0, found);
                if (Arrays.equals(found, header)) {
                    return BranchTargets.fromBytes(bytes.slice(header.length, bytes.capacity() - header.length));
                }
            } catch (IOException | IllegalArgumentException absentOrDamaged) {
                // swept again below, and kept anew
            }
        }
        BranchTargets scan = BranchTargets.scan(BranchTargets.regions(elf));
        if (kept != null) {
            keep(kept, key, scan);
        }
        return scan;
    }

    /**
     * Writes {@code scan} to {@code kept}, and removes the file's scans kept before (by another build of
     * probe4j, or of an earlier version of the file), and files of a former format: one scan a file.
     */
    private void keep(Path kept, String key, BranchTargets scan) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".scan", ".tmp");
            try {
                byte[] header = header(key);
                byte[] body = scan.toBytes();
                byte[] all = Arrays.copyOf(header, header.length + body.length);
                System.arraycopy(body, 0, all, header.length, body.length);
                Files.write(tmp, all);
                // whole or not at all: a run reading it meanwhile sees the old one or none
                Files.move(tmp, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            String same = prefix(key);
            try (Stream<Path> all = Files.list(dir)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    String n = p.getFileName().toString();
                    if (!p.equals(kept) && (n.startsWith(same) || FORMER_NAME.matcher(n).matches())) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException | SecurityException | IllegalArgumentException e) {
            // a read-only home, a full disk, a scan too wide to keep: the next run sweeps again
        }
    }

    /** The names of format 1: a SHA-256 of the key. */
    private static final java.util.regex.Pattern FORMER_NAME = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /**
     * What the names of a file's kept scans start with: a hash of its real path (the key's first line).
     * A name goes on with a hash of the whole key; the header holds the key itself, so a collision only
     * costs a sweep.
     */
    private static String prefix(String key) {
        return hash(key.substring(0, key.indexOf('\n'))) + "-";
    }

    /** The file as it is now, and the build that swept it; null when it cannot be said. */
    private String key(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return file.toRealPath() + "\n" + a.get("dev") + " " + a.get("ino") + " " + a.get("size") + " "
                    + a.get("lastModifiedTime") + " " + a.get("ctime") + "\n" + build + "\n";
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] header(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] h = Arrays.copyOf(MAGIC, MAGIC.length + k.length);
        System.arraycopy(k, 0, h, MAGIC.length, k.length);
        return h;
    }

    /**
     * This build of probe4j's decoder: the jar's (or the class directory's newest class file's) size and
     * time, so that a rebuilt probe4j sweeps again; null when the classes' location is unknown.
     */
    static String build() {
        try {
            var source = BranchTargets.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            Path p = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(p)) {
                try (Stream<Path> classes = Files.walk(p.resolve("io/probe4j/arch"))) {
                    p = classes.filter(Files::isRegularFile)
                            .max((x, y) -> Long.compare(x.toFile().lastModified(), y.toFile().lastModified())).orElse(p);
                }
            }
            return p + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** 64-bit FNV-1a in hex: a name, not a check (a cold JVM takes some 30 ms to set up MessageDigest). */
    private static String hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return String.format("%016x", h);
    }
}
