package io.probe4j.unwind;

import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code /proc/PID/maps} per process, read again only when the address space may have changed: reading
 * it costs 60–250 µs a hit, more than a walk. The caller names a generation that changes when it saw
 * the mappings change (the trap engine: exec, dlopen, dlclose; see {@code ProbeHit.mappingsGeneration()});
 * what it cannot see, code the program maps itself (a JIT), shows up as an address outside every
 * mapping, and {@link Unwinder#unwind(RegisterFile, MemoryReader, MappingsCache, int, long, ReturnAddressFixer)}
 * then reads the maps again and walks again.
 */
public final class MappingsCache {
    private record Cached(long generation, List<Mapping> mappings) {
    }

    private final IntFunction<List<Mapping>> reader;
    private final Map<Integer, Cached> byPid = new HashMap<>();
    private long reads;

    public MappingsCache() {
        this(Procfs::maps);
    }

    /** A cache over {@code reader} ({@code Procfs::maps}, or a counting wrapper of it). */
    MappingsCache(IntFunction<List<Mapping>> reader) {
        this.reader = reader;
    }

    /** The mappings of process {@code pid}, as read under {@code generation}. */
    synchronized List<Mapping> get(int pid, long generation) {
        Cached c = byPid.get(pid);
        return c != null && c.generation == generation ? c.mappings : refresh(pid, generation);
    }

    /** The mappings of process {@code pid} now, read again. */
    synchronized List<Mapping> refresh(int pid, long generation) {
        reads++;
        List<Mapping> m = List.copyOf(reader.apply(pid));
        byPid.put(pid, new Cached(generation, m));
        return m;
    }

    /**
     * The mappings of process {@code pid} as last read, or read now when none were or when one of
     * {@code addresses} lies outside all of them (a library loaded since, code the program mapped itself):
     * for a reader with no generation to go by.
     */
    synchronized List<Mapping> covering(int pid, long[] addresses) {
        Cached c = byPid.get(pid);
        if (c != null && covers(c.mappings, addresses)) {
            return c.mappings;
        }
        return refresh(pid, c == null ? 0 : c.generation);
    }

    private static boolean covers(List<Mapping> mappings, long[] addresses) {
        outer:
        for (long a : addresses) {
            for (Mapping m : mappings) {
                if (m.contains(a)) {
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    /** How often the maps were read (for tests and benchmarks). */
    public synchronized long reads() {
        return reads;
    }
}
