package io.probe4j.unwind;

import io.probe4j.sys.Mapping;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ELF files seen in mappings, each opened once: keyed by path, device and inode, so a file replaced
 * on disk (a new build, a package upgrade) is opened anew while the old mapping keeps its own.
 */
final class ObjectCache {
    private final Map<String, Optional<LoadedObject>> objects = new ConcurrentHashMap<>();

    /** The object a file mapping maps; empty for anonymous memory, kernel mappings and non-ELF files. */
    Optional<LoadedObject> objectOf(Mapping m) {
        if (!isFile(m)) {
            return Optional.empty();
        }
        return objects.computeIfAbsent(m.path() + "\0" + m.dev() + "\0" + m.inode(), k -> LoadedObject.open(Path.of(m.path())));
    }

    /** A mapping of a file that still exists at its path ({@code [vdso]}, {@code [heap]}, deleted files are not). */
    static boolean isFile(Mapping m) {
        return m.inode() != 0 && m.path().startsWith("/") && !m.path().endsWith(" (deleted)");
    }
}
