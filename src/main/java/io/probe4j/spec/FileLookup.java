package io.probe4j.spec;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the kernel's {@code kern_path(PATH, LOOKUP_FOLLOW)} finds for a probed path: the kernel
 * refuses a path it cannot find ({@code Failed to find the given file}, with the lookup's errno) or
 * that is not a regular file. Replaceable so that tests and tools can parse without touching the disk.
 */
@FunctionalInterface
public interface FileLookup {

    /** The outcome of looking a path up. */
    sealed interface Result {
        /** A regular file (after following symbolic links). */
        record Regular() implements Result {
        }

        /** Exists but is not a regular file (a directory, a device...). */
        record NotRegular() implements Result {
        }

        /** The lookup failed with {@code errno} (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG...). */
        record Missing(Errno errno) implements Result {
        }
    }

    Result lookup(String path);

    /**
     * This lookup, each path looked up once: for a command that parses thousands of definitions of one
     * file, where the file does not change meanwhile.
     */
    default FileLookup remembering() {
        java.util.Map<String, Result> seen = new java.util.concurrent.ConcurrentHashMap<>();
        return path -> seen.computeIfAbsent(path, this::lookup);
    }

    /** The real file system, relative paths against the current directory (as for the writing process). */
    FileLookup REAL = path -> {
        try {
            BasicFileAttributes a = Files.readAttributes(Path.of(path), BasicFileAttributes.class);
            if (path.endsWith("/") && !a.isDirectory()) {
                return new Result.Missing(Errno.ENOTDIR);   // Path.of drops the trailing slash; the kernel does not
            }
            return a.isRegularFile() ? new Result.Regular() : new Result.NotRegular();
        } catch (NoSuchFileException e) {
            // A path running through a regular file fails with ENOTDIR in the kernel.
            for (Path p = Path.of(path).getParent(); p != null; p = p.getParent()) {
                if (Files.exists(p)) {
                    return new Result.Missing(Files.isDirectory(p) ? Errno.ENOENT : Errno.ENOTDIR);
                }
            }
            return new Result.Missing(Errno.ENOENT);
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            for (Errno errno : Errno.values()) {
                if (reason.startsWith(errno.description())) {
                    return new Result.Missing(errno);
                }
            }
            return new Result.Missing(Errno.ENOENT);
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return new Result.Missing(Errno.ENOENT);
        }
    };
}
