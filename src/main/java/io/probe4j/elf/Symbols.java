package io.probe4j.elf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The symbols of one ELF file ({@code .symtab} and {@code .dynsym} together), with look-ups by name
 * and address. Names are matched without their version: {@code memcpy} finds
 * {@code memcpy@@GLIBC_2.14} and {@code memcpy@GLIBC_2.2.5}; {@code memcpy@GLIBC_2.2.5} finds only
 * that one and {@code memcpy@@GLIBC_2.14} only the default.
 */
public final class Symbols {
    private final List<ElfSymbol> all;
    private final Map<String, List<ElfSymbol>> definedByName = new HashMap<>();
    private final List<ElfSymbol> functions;

    Symbols(List<ElfSymbol> all) {
        this.all = List.copyOf(all);
        for (ElfSymbol s : this.all) {
            if (s.isDefined() && !s.name().isEmpty() && s.type() != ElfSymbol.STT_SECTION
                    && s.type() != ElfSymbol.STT_FILE) {
                List<ElfSymbol> l = definedByName.get(s.name());
                if (l == null) {
                    l = new ArrayList<>(1);
                    definedByName.put(s.name(), l);
                }
                l.add(s);
            }
        }
        this.functions = mergeFunctions(this.all);
    }

    /** Every entry of both tables, .symtab first if the file has one, in table order. */
    public List<ElfSymbol> all() {
        return all;
    }

    /** The entries of one table, in table order (index 0, the null symbol, included). */
    public List<ElfSymbol> table(ElfSymbol.Table table) {
        return all.stream().filter(s -> s.table() == table).toList();
    }

    /**
     * The functions defined in this file that a probe can be put on, each once: an entry present in
     * both tables with the same name and address is kept once (the .dynsym copy, which knows its
     * version); among same-address entries of one name the default version wins. Aliases (several
     * names at one address) are all kept. Grouped by name in order of first appearance; not sorted.
     */
    public List<ElfSymbol> functions() {
        return functions;
    }

    /** The defined symbols (any type except section and file symbols) matching {@code name}. */
    public List<ElfSymbol> defined(String name) {
        int at = name.indexOf('@');
        if (at <= 0) {
            return definedByName.getOrDefault(name, List.of());
        }
        boolean wantDefault = name.startsWith("@@", at);
        String version = name.substring(at + (wantDefault ? 2 : 1));
        return definedByName.getOrDefault(name.substring(0, at), List.of()).stream()
                .filter(s -> s.version().equals(version) && (!wantDefault || s.defaultVersion()))
                .toList();
    }

    /** The defined function whose {@code [value, value + size)} contains {@code vaddr}, if one does. */
    public Optional<ElfSymbol> functionContaining(long vaddr) {
        ByAddress index = byAddress();
        ElfSymbol[] sorted = index.functions;
        int lo = 0;
        int hi = sorted.length; // first function above vaddr
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].value() <= vaddr) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        ElfSymbol best = null;
        for (int i = lo - 1; i >= 0 && vaddr - sorted[i].value() < index.longest; i--) {
            ElfSymbol f = sorted[i];
            if (best != null && f.value() < best.value()) {
                break; // the closest start is found; farther ones lose
            }
            if (vaddr - f.value() < Math.max(f.size(), 1) && (best == null || f.name().compareTo(best.name()) < 0)) {
                best = f;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The functions by start address, and the longest one's size: look-ups by address in log time. */
    private record ByAddress(ElfSymbol[] functions, long longest) {
    }

    private volatile ByAddress byAddress;

    private ByAddress byAddress() {
        ByAddress index = byAddress;
        if (index == null) {
            ElfSymbol[] sorted = functions.toArray(ElfSymbol[]::new);
            java.util.Arrays.sort(sorted, Comparator.comparingLong(ElfSymbol::value));
            long longest = 1;
            for (ElfSymbol f : sorted) {
                longest = Math.max(longest, f.size());
            }
            index = new ByAddress(sorted, longest);
            byAddress = index;
        }
        return index;
    }

    /**
     * Up to {@code max} function names close to {@code name} (small edit distance, or containing it),
     * closest first, for "did you mean" hints.
     */
    public List<String> closeFunctionNames(String name, int max) {
        String base = name.indexOf('@') > 0 ? name.substring(0, name.indexOf('@')) : name;
        int limit = Math.max(1, Math.min(3, base.length() / 3));
        record Scored(String name, int score) {
        }
        Map<String, Scored> best = new LinkedHashMap<>();
        for (ElfSymbol f : functions) {
            String n = f.name();
            int score;
            if (Math.abs(n.length() - base.length()) <= limit) {
                int d = EditDistance.levenshtein(base, n, limit);
                score = d <= limit ? d : Integer.MAX_VALUE;
            } else {
                score = Integer.MAX_VALUE;
            }
            if (score == Integer.MAX_VALUE && base.length() >= 3 && n.contains(base)) {
                score = limit + 1 + (n.length() - base.length());
            }
            if (score != Integer.MAX_VALUE) {
                best.merge(n, new Scored(n, score), (a, b) -> a.score() <= b.score() ? a : b);
            }
        }
        return best.values().stream()
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::name))
                .limit(max).map(Scored::name).toList();
    }

    private static List<ElfSymbol> mergeFunctions(List<ElfSymbol> all) {
        // Plain loops and maps, no streams or record keys: this runs once per file, usually in a cold JVM.
        Map<String, List<ElfSymbol>> kept = new LinkedHashMap<>();
        for (ElfSymbol s : all) {
            if (!s.isDefinedFunction()) {
                continue;
            }
            List<ElfSymbol> same = kept.get(s.name());
            if (same == null) {
                same = new ArrayList<>(1);
                kept.put(s.name(), same);
            }
            boolean merged = false;
            for (int i = 0; i < same.size() && !merged; i++) {
                if (same.get(i).value() == s.value()) {
                    same.set(i, preferred(same.get(i), s));
                    merged = true;
                }
            }
            if (!merged) {
                same.add(s);
            }
        }
        List<ElfSymbol> out = new ArrayList<>();
        for (List<ElfSymbol> l : kept.values()) {
            out.addAll(l);
        }
        return List.copyOf(out);
    }

    private static ElfSymbol preferred(ElfSymbol a, ElfSymbol b) {
        if (a.defaultVersion() != b.defaultVersion()) {
            return a.defaultVersion() ? a : b;
        }
        if (a.version().isEmpty() != b.version().isEmpty()) {
            return a.version().isEmpty() ? b : a;
        }
        if (a.table() != b.table()) {
            return a.table() == ElfSymbol.Table.DYNSYM ? a : b;
        }
        return a;
    }
}
