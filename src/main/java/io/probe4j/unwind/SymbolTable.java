package io.probe4j.unwind;

import io.probe4j.demangle.Demangler;
import io.probe4j.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions of one object sorted by address, for address-to-name look-ups by halving. Where
 * several names share an address (glibc's {@code qsort_r}, {@code __qsort_r}, {@code __GI___qsort_r})
 * one is shown, chosen as gdb and perf choose: global before weak before local, the default version,
 * then the fewest leading underscores.
 */
final class SymbolTable {
    /** A function's name and extent, as link-time addresses. */
    record Function(String name, long start, long size) {
        boolean contains(long vaddr) {
            return vaddr >= start && vaddr - start < Math.max(size, 1);
        }
    }

    static final SymbolTable EMPTY = new SymbolTable(List.of());

    private final Function[] byAddress;
    private final Map<String, String> demangled = new ConcurrentHashMap<>();

    private SymbolTable(List<Function> functions) {
        this.byAddress = functions.toArray(Function[]::new);
    }

    static SymbolTable of(List<ElfSymbol> symbols) {
        List<ElfSymbol> fns = new ArrayList<>();
        for (ElfSymbol s : symbols) {
            if (s.isDefinedFunction() && !s.name().isEmpty()) {
                fns.add(s);
            }
        }
        fns.sort(Comparator.comparingLong(ElfSymbol::value).thenComparing(preference()));
        List<Function> out = new ArrayList<>();
        for (ElfSymbol s : fns) {
            Function last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.start() == s.value()) {
                if (s.size() > last.size()) { // an alias with a size beats one without
                    out.set(out.size() - 1, new Function(last.name(), last.start(), s.size()));
                }
                continue;
            }
            out.add(new Function(s.name(), s.value(), s.size()));
        }
        return new SymbolTable(out);
    }

    private static Comparator<ElfSymbol> preference() {
        return Comparator.comparingInt(SymbolTable::bindingRank)
                .thenComparing(s -> !s.defaultVersion())
                .thenComparingInt(SymbolTable::leadingUnderscores)
                .thenComparing(ElfSymbol::name);
    }

    private static int bindingRank(ElfSymbol s) {
        return switch (s.binding()) {
            case ElfSymbol.STB_GLOBAL, ElfSymbol.STB_GNU_UNIQUE -> 0;
            case ElfSymbol.STB_WEAK -> 1;
            default -> 2;
        };
    }

    private static int leadingUnderscores(ElfSymbol s) {
        int n = 0;
        while (n < s.name().length() && s.name().charAt(n) == '_') {
            n++;
        }
        return n;
    }

    /** The function's name as people read it (demangled once, when first shown). */
    String demangled(Function f) {
        return demangled.computeIfAbsent(f.name(), Demangler::demangle);
    }

    boolean isEmpty() {
        return byAddress.length == 0;
    }

    /** The function whose extent contains {@code vaddr}. */
    Optional<Function> functionAt(long vaddr) {
        int lo = 0;
        int hi = byAddress.length - 1;
        int floor = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (byAddress[mid].start() <= vaddr) {
                floor = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // A nested symbol (a local label given a size) may end before vaddr while an outer one covers it.
        for (int i = floor; i >= 0 && i > floor - 8; i--) {
            if (byAddress[i].contains(vaddr)) {
                return Optional.of(byAddress[i]);
            }
        }
        return Optional.empty();
    }
}
