package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns the PATH of a definition into a file, as probe4j's extensions allow: text with a {@code /}
 * is a path; otherwise a bare program name looked up in {@code $PATH}, or a library name found the
 * way the dynamic loader finds one: {@code LD_LIBRARY_PATH}, then {@code /etc/ld.so.cache}, then
 * the standard directories.
 *
 * <p>A library name with {@code .so} in it ({@code libc.so.6}) must match a file name exactly;
 * one without ({@code libc}, {@code libstdc++}) means the library whose name starts with
 * {@code NAME.so} ({@code libc.so.6}), preferring the highest version. Only 64-bit ELF files of
 * this machine count, as for the loader (so the {@code libc.so} linker script is skipped). Names
 * that start with {@code lib} or contain {@code .so} are tried as libraries first, others as
 * programs first.
 */
public final class ObjectFinder {
    /** The loader's built-in directories for 64-bit x86 Debian/Ubuntu and Fedora layouts. */
    public static final List<Path> STANDARD_DIRS = Stream.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib").map(Path::of).toList();

    private final Map<String, String> env;
    private final Path cacheFile;
    private final List<Path> standardDirs;
    private LdSoCache cache;

    /**
     * @param env          the environment to read {@code PATH} and {@code LD_LIBRARY_PATH} from
     * @param cacheFile    the loader cache ({@code /etc/ld.so.cache})
     * @param standardDirs the directories searched last
     */
    public ObjectFinder(Map<String, String> env, Path cacheFile, List<Path> standardDirs) {
        this.env = Map.copyOf(env);
        this.cacheFile = cacheFile;
        this.standardDirs = List.copyOf(standardDirs);
    }

    /** A finder for this process's environment and the system's loader cache. */
    public static ObjectFinder system() {
        return new ObjectFinder(System.getenv(), Path.of("/etc/ld.so.cache"), STANDARD_DIRS);
    }

    /** The file {@code pathText} names; a {@link UserException} saying where it looked when there is none. */
    public Path find(String pathText) {
        if (pathText.isEmpty()) {
            throw new UserException("empty file name: give a path, a program name or a library name");
        }
        if (pathText.indexOf('/') >= 0) {
            Path p = Path.of(pathText);
            if (!Files.exists(p)) {
                throw new UserException(pathText + ": no such file");
            }
            return p;
        }
        boolean libraryFirst = pathText.startsWith("lib") || pathText.contains(".so");
        Optional<Path> found = libraryFirst
                ? findLibrary(pathText).or(() -> findProgram(pathText))
                : findProgram(pathText).or(() -> findLibrary(pathText));
        return found.orElseThrow(() -> new UserException(pathText + ": no such program in $PATH ("
                + env.getOrDefault("PATH", "") + ") and no such library (searched LD_LIBRARY_PATH, "
                + cacheFile + ", " + String.join(", ", standardDirs.stream().map(Path::toString).toList()) + ")"));
    }

    /** The first executable regular file called {@code name} in the {@code $PATH} directories. */
    public Optional<Path> findProgram(String name) {
        for (String dir : env.getOrDefault("PATH", "").split(":", -1)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(name).toAbsolutePath();
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The library {@code name} ({@code libc}, {@code libc.so.6}) as the loader would find it. */
    public Optional<Path> findLibrary(String name) {
        String ldPath = env.getOrDefault("LD_LIBRARY_PATH", "");
        if (!ldPath.isEmpty()) {
            for (String dir : ldPath.split("[:;]", -1)) {
                Optional<Path> p = inDirectory(Path.of(dir.isEmpty() ? "." : dir).toAbsolutePath(), name);
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        Optional<Path> cached = inCache(name);
        if (cached.isPresent()) {
            return cached;
        }
        for (Path dir : standardDirs) {
            Optional<Path> p = inDirectory(dir, name);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    private Optional<Path> inCache(String name) {
        if (cache == null) {
            try {
                cache = LdSoCache.read(cacheFile);
            } catch (UserException e) {
                cache = new LdSoCache(List.of()); // the loader ignores a cache it cannot use; so do we
            }
        }
        List<LdSoCache.Entry> candidates = cache.entries().stream()
                .filter(e -> e.matchesHost() && e.hwcap() == 0 && matches(e.name(), name))
                .filter(e -> isHostElf(e.path()))
                .toList();
        return best(candidates.stream().map(e -> new Candidate(e.name(), e.path())).toList());
    }

    private Optional<Path> inDirectory(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        if (name.contains(".so")) {
            Path p = dir.resolve(name);
            return Files.isRegularFile(p) && isHostElf(p) ? Optional.of(p) : Optional.empty();
        }
        List<Candidate> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> matches(p.getFileName().toString(), name))
                    .filter(p -> Files.isRegularFile(p) && isHostElf(p))
                    .forEach(p -> found.add(new Candidate(p.getFileName().toString(), p)));
        } catch (IOException e) {
            return Optional.empty();
        }
        return best(found);
    }

    /** {@code libc.so.6} matches {@code libc.so.6}; {@code libc} matches {@code libc.so} and {@code libc.so.*}. */
    static boolean matches(String fileName, String wanted) {
        if (wanted.contains(".so")) {
            return fileName.equals(wanted);
        }
        String prefix = wanted + ".so";
        return fileName.equals(prefix) || fileName.startsWith(prefix + ".");
    }

    private record Candidate(String name, Path path) {
    }

    /**
     * The highest major version wins ({@code libfoo.so.2} over {@code libfoo.so.1} over the unversioned
     * {@code libfoo.so}); within one major version the shortest name, which is the soname the loader
     * asks for ({@code libstdc++.so.6} rather than the file it links to, {@code libstdc++.so.6.0.30}).
     */
    private static Optional<Path> best(List<Candidate> candidates) {
        return candidates.stream().max(Comparator.comparing(Candidate::name, ObjectFinder::compareVersions))
                .map(Candidate::path);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.substring(a.indexOf(".so") + 3).split("\\.");
        String[] y = b.substring(b.indexOf(".so") + 3).split("\\.");
        long majorX = x.length > 1 ? number(x[1]) : -1;
        long majorY = y.length > 1 ? number(y[1]) : -1;
        if (majorX != majorY) {
            return Long.compare(majorX, majorY);
        }
        return Integer.compare(b.length(), a.length());
    }

    private static long number(String part) {
        try {
            return part.isEmpty() ? -1 : Long.parseLong(part);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** True for a 64-bit ELF file for this machine (what the loader accepts). */
    static boolean isHostElf(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read the identification and e_machine
            }
            if (b.position() < 20 || b.getInt(0) != 0x464c457f || b.get(4) != 2) {
                return false;
            }
            if (b.get(5) == 2) {
                b.order(ByteOrder.BIG_ENDIAN);
            }
            int machine = b.getShort(18) & 0xffff;
            int host = hostMachine();
            return host < 0 || machine == host;
        } catch (IOException e) {
            return false;
        }
    }

    static int hostMachine() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> ElfFile.EM_X86_64;
            case "aarch64" -> ElfFile.EM_AARCH64;
            case "riscv64" -> ElfFile.EM_RISCV;
            default -> -1;
        };
    }
}
