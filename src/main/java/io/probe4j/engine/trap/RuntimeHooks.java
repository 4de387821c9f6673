package io.probe4j.engine.trap;

import io.probe4j.elf.ElfFile;
import io.probe4j.sys.Mapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Finds the {@link RuntimeHook} functions in the files a process maps (by file name, then symbol). */
final class RuntimeHooks {
    record Place(RuntimeHook hook, long fileOffset) {
    }

    private final Map<String, List<Place>> byPath = new HashMap<>();
    private final Consumer<String> diagnostics;

    RuntimeHooks(Consumer<String> diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** The hooks in the file {@code m} maps (empty for most files). */
    List<Place> placesIn(Mapping m) {
        Path name = Path.of(m.path()).getFileName();
        String n = name == null ? "" : name.toString();
        if (!n.startsWith("ld-") && !n.startsWith("ld.so") && !n.startsWith("libgcc_s") && !n.startsWith("libstdc++")) {
            return List.of();
        }
        return byPath.computeIfAbsent(m.path(), this::find);
    }

    private List<Place> find(String path) {
        List<Place> out = new ArrayList<>();
        try {
            ElfFile f = ElfFile.open(Path.of(path));
            add(out, f, "_dl_debug_state", RuntimeHook.RENDEZVOUS);
            add(out, f, "_Unwind_RaiseException", RuntimeHook.UNWIND);
            add(out, f, "_Unwind_Resume_or_Rethrow", RuntimeHook.UNWIND);
            add(out, f, "_Unwind_ForcedUnwind", RuntimeHook.UNWIND);
            add(out, f, "__cxa_begin_catch", RuntimeHook.CATCH);
        } catch (io.probe4j.error.UserException e) {
            // a file named like the loader or libgcc_s that is not an ELF file we can read: nothing to watch
            // there; say so, since longjmp and C++ exceptions through it would go unnoticed by return probes
            diagnostics.accept("warning: " + e.getMessage() + "; return probes will not see exceptions unwound through it");
        }
        return out;
    }

    private static void add(List<Place> out, ElfFile f, String symbol, RuntimeHook hook) {
        f.functionOffset(symbol).ifPresent(off -> out.add(new Place(hook, off)));
    }
}
