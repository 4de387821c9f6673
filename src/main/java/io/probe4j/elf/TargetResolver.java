package io.probe4j.elf;

import io.probe4j.error.UserException;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.spec.ProbeTarget.Location;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Makes a definition's target concrete: the PATH text becomes a real file (through
 * {@link ObjectFinder}) and the location a {@link Location.FileOffset}, the form the kernel's
 * {@code uprobe_events} and probe4j's engines take.
 *
 * <p>A {@code SYMBOL+OFF} is checked the way a careful user would: the symbol must exist, be
 * unambiguous, be a function, and {@code OFF} must lie inside it at an instruction boundary. A
 * numeric offset inside a known function gets the same boundary check. Opened files are kept for
 * the resolver's lifetime, so resolving many definitions on one library opens it once.
 */
public final class TargetResolver {
    private final ObjectFinder finder;
    private final InstructionBoundaries boundaries;
    private final boolean force;
    private final Map<Path, ElfFile> opened = new HashMap<>();
    private final Map<String, Path> found = new HashMap<>();

    /** The system's finder and the decoder-less boundary check; nothing forced. */
    public TargetResolver() {
        this(ObjectFinder.system(), InstructionBoundaries.FUNCTION_STARTS_ONLY, false);
    }

    /**
     * @param finder     how bare program and library names are found
     * @param boundaries the instruction boundary check (the x86-64 decoder, once plugged in)
     * @param force      accept offsets whose boundary could not be confirmed or is known to be wrong
     *                   (the user's "I know what I am doing")
     */
    public TargetResolver(ObjectFinder finder, InstructionBoundaries boundaries, boolean force) {
        this.finder = finder;
        this.boundaries = boundaries;
        this.force = force;
    }

    /** The target with its real file path and its file offset; a {@link UserException} saying what is wrong otherwise. */
    public ProbeTarget resolve(ProbeTarget target) {
        String text = target.path();
        Path path = find(text);
        String shownPath = text.indexOf('/') >= 0 ? text : path.toString();
        ElfFile elf = open(path);
        long fileOffset = switch (target.location()) {
            case Location.FileOffset f -> checkFileOffset(elf, f.offset());
            case Location.Symbol s -> symbolOffset(elf, s.name(), s.offset());
            case Location.Usdt u -> throw new IllegalArgumentException("a USDT probe may be at several places: "
                    + "expand " + text + ":" + u.provider() + ":" + u.name() + " into its file offsets first");
        };
        return new ProbeTarget(shownPath, new Location.FileOffset(fileOffset), target.refCtrOffset());
    }

    /**
     * The functions a wildcard target ({@code PATH:PATTERN}) names, one per address; a
     * {@link UserException} when the file cannot be probed by name or no function matches.
     */
    public FunctionMatches match(ProbeTarget target) {
        if (!(target.location() instanceof Location.Symbol s) || !s.isPattern()) {
            throw new IllegalArgumentException("not a pattern: " + target.location());
        }
        Path path = find(target.path());
        ElfFile elf = open(path);
        requireLoadable(elf);
        FunctionMatches m = FunctionMatches.of(path, target.path().indexOf('/') >= 0 ? target.path() : path.toString(),
                elf, Glob.of(s.name()));
        if (m.functions().isEmpty()) {
            throw new UserException(elf.path() + ": no function matches " + s.name()
                    + (elf.section(".symtab").isEmpty() ? " (the file has no .symtab, so only the functions it exports "
                    + "through .dynsym are known)" : ""));
        }
        return m;
    }

    /** The file a definition's PATH text names, looked up once per text (a library search reads ld.so.cache). */
    public synchronized Path find(String text) {
        Path p = found.get(text);
        if (p == null) {
            p = finder.find(text);
            found.put(text, p);
        }
        return p;
    }

    /**
     * The opened file behind {@code path}, shared by all resolutions of this resolver, and with every other
     * resolver while the file is unchanged: the command line and the {@code Tracer} check the same probes,
     * and reading a large library's symbols twice would cost more than the rest of an attach.
     */
    public synchronized ElfFile open(Path path) {
        ElfFile f = opened.get(path); // as given first: a thousand probes of one file name it alike
        if (f != null) {
            return f;
        }
        Path key = path.toAbsolutePath().normalize();
        f = opened.get(key);
        if (f == null) {
            f = SharedFiles.open(key);
            opened.put(key, f);
        }
        opened.put(path, f);
        return f;
    }

    /** Files opened by any resolver, by path, kept while their size and modification time stay the same. */
    private static final class SharedFiles {
        private record Entry(ElfFile elf, Object stamp) {
        }

        private static final Map<Path, Entry> FILES = new HashMap<>();

        static synchronized ElfFile open(Path path) {
            Object stamp;
            try {
                var a = java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
                stamp = java.util.List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
            } catch (java.io.IOException e) {
                return ElfFile.open(path); // it says what is wrong with the file
            }
            Entry e = FILES.get(path);
            if (e == null || !e.stamp().equals(stamp)) {
                e = new Entry(ElfFile.open(path), stamp);
                FILES.put(path, e);
            }
            return e.elf();
        }
    }

    private long checkFileOffset(ElfFile elf, long offset) {
        if (offset < 0 || offset >= elf.size()) {
            throw new UserException(String.format("%s: file offset 0x%x is beyond the end of the file (%d bytes)",
                    elf.path(), offset, elf.size()));
        }
        elf.vaddrOf(offset).ifPresent(vaddr -> elf.symbols().functionContaining(vaddr).ifPresent(fn -> {
            long into = vaddr - fn.value();
            if (into > 0) {
                checkBoundary(elf, fn, into, String.format("file offset 0x%x (%s+%d)", offset, fn.name(), into));
            }
        }));
        return offset;
    }

    private long symbolOffset(ElfFile elf, String name, long offset) {
        requireLoadable(elf);
        ElfSymbol sym = pick(elf, name);
        String where = offset == 0 ? name : name + "+" + offset;
        boolean code = sym.type() == ElfSymbol.STT_FUNC
                || sym.type() == ElfSymbol.STT_NOTYPE && inExecutableSection(elf, sym);
        if (sym.type() == ElfSymbol.STT_GNU_IFUNC) {
            throw indirect(elf, name, sym);
        }
        if (!code) {
            throw new UserException(String.format("%s: %s is not a function: it is a %s %s symbol", elf.path(), name,
                    sym.bindingName(), sym.typeName()));
        }
        long start = fileOffsetOf(elf, sym);
        if (offset < 0) {
            throw new UserException(elf.path() + ": " + where + ": negative offset " + offset);
        }
        if (offset > 0) {
            if (sym.size() == 0) {
                throw new UserException(String.format("%s: %s: the symbol table gives %s no size, so only %s+0 can be "
                        + "checked; give the file offset 0x%x to probe there anyway", elf.path(), where, name, name,
                        start + offset));
            }
            if (offset >= sym.size()) {
                throw new UserException(String.format("%s: %s: offset %d is beyond the end of %s (%d bytes, +0 to +%d)",
                        elf.path(), where, offset, name, sym.size(), sym.size() - 1));
            }
            checkBoundary(elf, sym, offset, where);
        }
        return start + offset;
    }

    private static void requireLoadable(ElfFile elf) {
        if (elf.type() != ElfFile.ET_EXEC && elf.type() != ElfFile.ET_DYN) {
            throw new UserException(elf.path() + ": not an executable or shared library (ELF type " + elf.type()
                    + "); only ET_EXEC and ET_DYN files are mapped into processes and can be probed");
        }
    }

    private ElfSymbol pick(ElfFile elf, String name) {
        Symbols symbols = elf.symbols();
        List<ElfSymbol> found = symbols.defined(name);
        if (found.isEmpty()) {
            throw unknown(elf, name);
        }
        Map<Long, List<ElfSymbol>> byAddress = found.stream()
                .collect(Collectors.groupingBy(ElfSymbol::value, LinkedHashMap::new, Collectors.toList()));
        if (byAddress.size() > 1) {
            // Several versions of one exported function (memcpy@GLIBC_2.2.5, memcpy@@GLIBC_2.14): take the
            // default version, the one the linker binds new programs to and dlsym() returns.
            List<ElfSymbol> defaults = found.stream().filter(ElfSymbol::defaultVersion).toList();
            if (name.indexOf('@') < 0 && defaults.stream().map(ElfSymbol::value).distinct().count() == 1) {
                return defaults.getFirst();
            }
            throw ambiguous(elf, name, byAddress);
        }
        List<ElfSymbol> same = byAddress.values().iterator().next();
        return same.stream().filter(s -> s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_GNU_IFUNC)
                .findFirst().orElse(same.getFirst());
    }

    private static UserException unknown(ElfFile elf, String name) {
        StringBuilder msg = new StringBuilder(elf.path() + ": no symbol " + name);
        String base = name.indexOf('@') > 0 ? name.substring(0, name.indexOf('@')) : name;
        boolean imported = elf.symbols().all().stream().anyMatch(s -> !s.isDefined() && s.name().equals(base));
        if (imported) {
            msg.append(" defined here: it is imported from a shared library; probe it in that library (e.g. libc:")
                    .append(base).append(')');
        }
        List<String> close = elf.symbols().closeFunctionNames(name, 5);
        if (!close.isEmpty()) {
            msg.append("; did you mean ").append(String.join(", ", close)).append('?');
        }
        if (!imported && elf.section(".symtab").isEmpty()) {
            msg.append(" (the file has no .symtab, so only the functions it exports through .dynsym are known)");
        }
        return new UserException(msg.toString());
    }

    private static UserException indirect(ElfFile elf, String name, ElfSymbol sym) {
        // glibc names the implementations __NAME_VARIANT (__strlen_avx2); they are local, so only a .symtab has them.
        String base = sym.name();
        List<String> impls = elf.symbols().functions().stream()
                .map(ElfSymbol::name)
                .filter(n -> !n.equals(base) && n.startsWith("__" + base + "_"))
                .distinct().sorted().limit(8).toList();
        String hint = impls.isEmpty()
                ? "Probe the implementation it selects instead (a local symbol, named only in a .symtab or debug file)"
                : "Probe the implementation it selects instead: " + String.join(", ", impls);
        return new UserException(String.format("%s: %s is an indirect function (IFUNC): its address is the resolver "
                + "that picks an implementation once, when the library is loaded, so a probe there almost never fires. "
                + "%s; or give the resolver's file offset 0x%x to probe the resolver itself", elf.path(), name, hint,
                fileOffsetOf(elf, sym)));
    }

    private static UserException ambiguous(ElfFile elf, String name, Map<Long, List<ElfSymbol>> byAddress) {
        StringBuilder msg = new StringBuilder(String.format("%s: symbol %s is ambiguous: %d definitions at different "
                + "addresses; give the file offset of the one you mean:", elf.path(), name, byAddress.size()));
        byAddress.values().stream().map(List::getFirst).sorted(Comparator.comparingLong(ElfSymbol::value))
                .forEach(s -> msg.append(String.format("%n  0x%x  %s  %s %s, %d bytes (%s)",
                        elf.fileOffsetOf(s.value()).orElse(s.value()), s.versionedName(), s.bindingName(),
                        s.typeName(), s.size(), s.table().sectionName())));
        return new UserException(msg.toString());
    }

    private void checkBoundary(ElfFile elf, ElfSymbol fn, long into, String where) {
        if (force) {
            return;
        }
        if (elf.machine() != ElfFile.EM_X86_64) {
            throw new UserException(String.format("%s: %s: cannot check that this is an instruction boundary in "
                    + "machine code for ELF machine %d (probe4j decodes x86-64 only)", elf.path(), where, elf.machine()));
        }
        byte[] code = elf.functionBytes(fn);
        switch (boundaries.check(code, (int) into)) {
            case InstructionBoundaries.Verdict.Boundary b -> {
            }
            case InstructionBoundaries.Verdict.Inside in -> throw new UserException(String.format(
                    "%s: %s is not an instruction boundary: it is inside the instruction at %s+%d (the next one is at "
                            + "%s+%d); a breakpoint there would corrupt the program", elf.path(), where, fn.name(),
                    in.instructionStart(), fn.name(), in.nextInstruction()));
            case InstructionBoundaries.Verdict.Unknown u -> throw new UserException(String.format(
                    "%s: %s: cannot confirm that an instruction starts there: %s", elf.path(), where, u.reason()));
        }
    }

    private static long fileOffsetOf(ElfFile elf, ElfSymbol sym) {
        return elf.fileOffsetOf(sym.value()).orElseThrow(() -> new UserException(String.format(
                "%s: %s (0x%x) is not in any loaded segment of the file", elf.path(), sym.name(), sym.value())));
    }

    private static boolean inExecutableSection(ElfFile elf, ElfSymbol sym) {
        int idx = sym.sectionIndex();
        return idx > 0 && idx < elf.sections().size()
                && (elf.sections().get(idx).flags() & SectionHeader.SHF_EXECINSTR) != 0;
    }
}
