package io.probe4j.unwind;

import io.probe4j.sys.Mapping;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A process's mappings ({@code /proc/PID/maps}) at one moment, with the ELF files behind them: which
 * mapping and object an address is in, its link-time address there, and its symbol.
 */
final class AddressSpace {
    private final Mapping[] mappings;
    private final ObjectCache objects;
    private final Map<Mapping, Optional<LoadedObject>> seen = new IdentityHashMap<>();

    AddressSpace(List<Mapping> mappings, ObjectCache objects) {
        this.mappings = mappings.stream().sorted(Comparator.comparing(Mapping::start, Long::compareUnsigned)).toArray(Mapping[]::new);
        this.objects = objects;
    }

    Optional<Mapping> mappingAt(long address) {
        int lo = 0;
        int hi = mappings.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = mappings[mid];
            if (Long.compareUnsigned(address, m.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, m.end()) >= 0) {
                lo = mid + 1;
            } else {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    Optional<LoadedObject> objectOf(Mapping m) {
        Optional<LoadedObject> o = seen.get(m);
        if (o == null) {
            o = objects.objectOf(m);
            seen.put(m, o);
        }
        return o;
    }

    /** {@code address}'s link-time address in the object {@code m} maps. */
    static OptionalLong vaddrOf(LoadedObject o, Mapping m, long address) {
        return o.vaddrOf(m.fileOffsetOf(address));
    }

    /**
     * The frame for {@code address}, symbolized.
     *
     * @param lookup the address whose function names the frame: {@code address - 1} for a return
     *               address, so that a call at a function's very end is not credited to the next function
     */
    Frame frame(long address, long lookup, Frame.Source source) {
        Optional<Mapping> m = mappingAt(lookup);
        if (m.isEmpty()) {
            return new Frame(address, Optional.empty(), Optional.empty(), 0, "[unknown]", -1, source);
        }
        Mapping map = m.get();
        Optional<LoadedObject> o = objectOf(map);
        String object = map.path().isEmpty() ? "[anon]" : map.path();
        if (o.isEmpty()) {
            long fileOffset = ObjectCache.isFile(map) ? map.fileOffsetOf(address) : -1;
            return new Frame(address, Optional.empty(), Optional.empty(), 0, object, fileOffset, source);
        }
        long fileOffset = map.fileOffsetOf(address);
        OptionalLong vaddr = vaddrOf(o.get(), map, lookup);
        if (vaddr.isEmpty()) {
            return new Frame(address, Optional.empty(), Optional.empty(), 0, object, fileOffset, source);
        }
        long delta = address - lookup;
        SymbolTable symbols = o.get().symbols();
        return symbols.functionAt(vaddr.getAsLong())
                .map(f -> new Frame(address, Optional.of(f.name()), Optional.of(symbols.demangled(f)),
                        vaddr.getAsLong() + delta - f.start(), object, fileOffset, source))
                .orElseGet(() -> new Frame(address, Optional.empty(), Optional.empty(), 0, object, fileOffset, source));
    }
}
