package io.probe4j.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The kprobe events a sequence of {@code kprobe_events} writes defines ({@link DefinitionSet}'s kprobe
 * half): the comparison with an existing event of the same name ({@code register_trace_kprobe},
 * {@code append_trace_kprobe}), then registration, and removal by {@code -:} with the words after it
 * matched against the listing ({@code trace_kprobe_match_command_head}).
 */
final class KprobeEvents {
    private final KernelSymbols symbols;
    private final List<KprobeDefinition> probes = new ArrayList<>();

    KprobeEvents(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    List<KprobeDefinition> probes() {
        return List.copyOf(probes);
    }

    List<String> listing() {
        return probes.stream().map(p -> NormalForm.listed(p, symbols)).toList();
    }

    KprobeDefinition add(KprobeDefinition d, Parser.Line line, BiPredicate<String, String> foreignEvents) {
        EventAppend.check(probes, d, KprobeEvents::sameKprobe, SpecException.KPROBE, line.words(), foreignEvents);
        KprobeParser.register(d, line.words(), symbols);
        probes.add(d);
        return d;
    }

    /**
     * {@code trace_kprobe_has_same_kprobe}: the same symbol text and offset and the same argument texts.
     * An address probe has no symbol: the kernel compares it as {@code "unknown"} at offset 0.
     */
    private static boolean sameKprobe(KprobeDefinition a, KprobeDefinition b) {
        return symbolKey(a).equals(symbolKey(b)) && EventAppend.sameArgTexts(a, b);
    }

    private static String symbolKey(KprobeDefinition d) {
        return switch (d.target()) {
            case KernelTarget.Symbol s -> s.qualifiedName() + "+" + s.offset();
            case KernelTarget.Address a -> "unknown+0";
        };
    }

    /** Removes the matching events; false when none matched. */
    boolean remove(RemoveDefinition r) {
        List<KprobeDefinition> gone = probes.stream().filter(p -> matches(r, p)).toList();
        probes.removeAll(gone);
        return !gone.isEmpty();
    }

    private static boolean matches(RemoveDefinition r, KprobeDefinition p) {
        return r.matches(p.group(), p.event(), NormalForm.place(p.target()), p.args());
    }
}
