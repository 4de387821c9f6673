package io.probe4j.engine.trap;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.sys.Mapping;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the dynamic loader tells debuggers that its list of loaded objects changed: the function
 * {@code _dl_debug_state} ({@code r_debug.r_brk}), called after every {@code dlopen} and
 * {@code dlclose} mapped or unmapped code (and once at start-up, after the initial libraries are mapped).
 *
 * <p>A breakpoint there is how probe4j learns of new executable mappings, as gdb does. The other choice,
 * stopping at every {@code mmap} system call exit, costs two stops per system call of every traced thread
 * ({@code PTRACE_SYSCALL} cannot select calls), and most {@code mmap}s are for data; the rendezvous
 * costs one stop per library load.
 */
final class Rendezvous {
    static final String SYMBOL = "_dl_debug_state";
    private final Map<String, Long> offsets = new HashMap<>();

    /** The file offset of {@code _dl_debug_state} if {@code m} maps a dynamic loader, else -1. */
    long offsetIn(Mapping m) {
        String name = Path.of(m.path()).getFileName() == null ? "" : Path.of(m.path()).getFileName().toString();
        if (!name.startsWith("ld-") && !name.startsWith("ld.so")) {
            return -1;
        }
        return offsets.computeIfAbsent(m.path(), Rendezvous::find);
    }

    private static long find(String path) {
        try {
            ElfFile f = ElfFile.open(Path.of(path));
            for (ElfSymbol s : f.symbols().defined(SYMBOL)) {
                if (s.isDefinedFunction()) {
                    return f.fileOffsetOf(s.value()).orElse(-1);
                }
            }
        } catch (RuntimeException e) {
            // not an ELF file we can read: no dlopen watching there
        }
        return -1;
    }
}
