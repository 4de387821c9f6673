package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.elf.ElfFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The branch scans of probed files, kept on disk between runs. Planning a jump needs every branch
 * target of the whole file (a {@code .cold} part or a jump table of another function may land inside
 * the bytes the jump replaces): sweeping libc's 2 MB of code takes 0.5–2.5 s of a cold JVM, on every
 * run. The sweep depends only on the file's bytes and on probe4j's decoder, so it is kept under the
 * file's identity (device, inode, size, modification and change times) and probe4j's build, in
 * {@code $XDG_CACHE_HOME/probe4j/branches} ({@code ~/.cache/probe4j/branches}), and read back in
 * milliseconds, as perf keeps its build-id cache. A cache that cannot be read or written costs the sweep
 * and nothing else. {@code -Dprobe4j.cache.dir=DIR} puts it elsewhere; {@code none} turns it off.
 */
final class BranchScans {
    private static final byte[] MAGIC = "probe4j branch scan 1\n".getBytes(StandardCharsets.US_ASCII);
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

    /** The scan of {@code file} (opened as {@code elf}): kept, or swept now and kept. */
    BranchTargets of(Path file, ElfFile elf) {
        String key = dir == null ? null : key(file);
        Path kept = key == null ? null : dir.resolve(sha256(key));
        if (kept != null) {
            try {
                byte[] bytes = Files.readAllBytes(kept);
                byte[] header = header(key);
                if (bytes.length >= header.length && Arrays.equals(bytes, 0, header.length, header, 0, header.length)) {
                    return BranchTargets.fromBytes(Arrays.copyOfRange(bytes, header.length, bytes.length));
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
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // a read-only home, a full disk: the next run sweeps again
        }
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

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
