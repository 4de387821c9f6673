package io.probe4j.elf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions of one file that a pattern ({@link Glob}) names, as a wildcard definition
 * ({@code p libc:str*}) probes them: one per address, since aliases ({@code __libc_malloc} and
 * {@code malloc}) are one function and a probe on each would report every call twice. Of the matching
 * names at an address, the one {@code perf} keeps is taken (its {@code choose_best_symbol}: one with a
 * size, not weak, global, with fewer leading underscores, longer), a current name before an old symbol
 * version ({@code free}, not {@code cfree@GLIBC_2.2.5}).
 *
 * @param file          the file (as found: a library name becomes its path)
 * @param shownPath     the path as definitions show it: as written when it had a {@code /}, else {@code file}
 * @param elf           the opened file
 * @param matchedNames  how many function symbols matched (aliases and versions each count)
 * @param functions     one symbol per matched address, by name (the default version of a name first),
 *                      then address; indirect functions included (the caller decides about them)
 */
public record FunctionMatches(Path file, String shownPath, ElfFile elf, int matchedNames, List<ElfSymbol> functions) {

    public FunctionMatches {
        functions = List.copyOf(functions);
    }

    /** The functions of {@code elf} whose name or versioned name ({@code memcpy@GLIBC_2.2.5}) {@code glob} matches. */
    static FunctionMatches of(Path file, String shownPath, ElfFile elf, Glob glob) {
        Map<Long, ElfSymbol> best = new LinkedHashMap<>();
        int matched = 0;
        for (ElfSymbol f : elf.symbols().functions()) {
            if (elf.fileOffsetOf(f.value()).isEmpty() || !(glob.matches(f.name()) || glob.matches(f.versionedName()))) {
                continue;
            }
            matched++;
            best.merge(f.value(), f, (a, b) -> PREFERRED.compare(a, b) <= 0 ? a : b);
        }
        List<ElfSymbol> out = new ArrayList<>(best.values());
        out.sort(Comparator.comparing(ElfSymbol::name).thenComparing(f -> !f.defaultVersion() && !f.version().isEmpty())
                .thenComparingLong(ElfSymbol::value));
        return new FunctionMatches(file, shownPath, elf, matched, out);
    }

    /** perf's choice among aliases, best first; and before that, a current name over an old symbol version. */
    private static final Comparator<ElfSymbol> PREFERRED = Comparator
            .comparing((ElfSymbol f) -> !f.version().isEmpty() && !f.defaultVersion())
            .thenComparing(f -> f.size() == 0)
            .thenComparing(f -> f.binding() == ElfSymbol.STB_WEAK)
            .thenComparing(f -> f.binding() != ElfSymbol.STB_GLOBAL)
            .thenComparingInt(f -> leadingUnderscores(f.name()))
            .thenComparing(Comparator.comparingInt((ElfSymbol f) -> f.name().length()).reversed())
            .thenComparing(ElfSymbol::name);

    private static int leadingUnderscores(String name) {
        int n = 0;
        while (n < name.length() && name.charAt(n) == '_') {
            n++;
        }
        return n;
    }
}
