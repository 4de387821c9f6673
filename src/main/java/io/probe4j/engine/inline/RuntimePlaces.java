package io.probe4j.engine.inline;

import io.probe4j.elf.ElfFile;
import io.probe4j.sys.Mapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places in the C runtime where the inline engine acts when a thread stops there: the trap engine
 * keeps breakpoints at them in every traced process (its runtime hooks), so the stops come anyway and
 * the program pays nothing more. Found by file name, then symbol.
 */
final class RuntimePlaces {
    enum Kind {
        /** The loader's {@code _dl_debug_state}: the list of loaded objects changed (start, dlopen, dlclose). */
        RENDEZVOUS,
        /** An exception unwind starts: the unwinder must see real return addresses, not exit trampolines. */
        UNWIND,
        /** {@code __cxa_begin_catch}: the unwind ended in a handler; the frames that stay are hijacked again. */
        CATCH
    }

    private record Place(Kind kind, long fileOffset) {
    }

    private final Map<String, List<Place>> byPath = new HashMap<>();

    /** The places the executable mappings of {@code maps} hold, by run-time address. */
    Map<Long, Kind> in(List<Mapping> maps) {
        Map<Long, Kind> out = new HashMap<>();
        for (Mapping m : maps) {
            if (!m.executable()) {
                continue;
            }
            for (Place p : byPath.computeIfAbsent(m.path(), RuntimePlaces::find)) {
                if (m.holdsFileOffset(p.fileOffset())) {
                    out.put(m.addressOf(p.fileOffset()), p.kind());
                }
            }
        }
        return out;
    }

    /** The places of the file at {@code path} (none for most files: the names the trap engine watches). */
    private static List<Place> find(String path) {
        Path name = Path.of(path).getFileName();
        String n = name == null ? "" : name.toString();
        List<Place> out = new ArrayList<>();
        if (!(n.startsWith("ld-") || n.startsWith("ld.so") || n.startsWith("libgcc_s") || n.startsWith("libstdc++")) || !Files.isRegularFile(Path.of(path))) {
            return out;
        }
        try {
            ElfFile f = ElfFile.open(Path.of(path));
            add(out, f, "_dl_debug_state", Kind.RENDEZVOUS);
            add(out, f, "_Unwind_RaiseException", Kind.UNWIND);
            add(out, f, "_Unwind_Resume_or_Rethrow", Kind.UNWIND);
            add(out, f, "_Unwind_ForcedUnwind", Kind.UNWIND);
            add(out, f, "__cxa_begin_catch", Kind.CATCH);
        } catch (RuntimeException e) {
            // not a file we can read: the trap engine, which has no breakpoints there either, says so
        }
        return out;
    }

    private static void add(List<Place> out, ElfFile f, String symbol, Kind kind) {
        f.functionOffset(symbol).ifPresent(off -> out.add(new Place(kind, off)));
    }
}
