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

    /** How often the maps were read (for tests and benchmarks). */
    public synchronized long reads() {
        return reads;
    }
}
