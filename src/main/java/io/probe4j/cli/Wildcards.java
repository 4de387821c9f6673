package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.arch.x86_64.ProbeSite;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.FunctionMatches;
import io.probe4j.elf.TargetResolver;
import io.probe4j.spec.AutoName;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * A wildcard definition ({@code p libc:str*}, {@code r PATH:GLOB}, {@code p:grp/ PATH:GLOB}) as the
 * definitions it stands for: one per function the pattern matches (aliases once), each at the function's
 * start, named as {@code perf probe} names them ({@link AutoName#forFunction}) unless the definition names
 * its event (then, as in perf, every function is a probe of that one event). Indirect functions (their
 * address is a resolver that almost never runs) and functions whose first instruction the kernel would
 * not probe are skipped; {@link Expansion#summary} says how many and why.
 */
final class Wildcards {
    private Wildcards() {
    }

    /**
     * @param definitions the resolved definitions, in name order
     * @param summary     one line for stderr: what matched, what is probed, what was skipped and why
     */
    record Expansion(List<ProbeDefinition> definitions, String summary) {
    }

    /**
     * Expands {@code d} ({@link ProbeDefinition#isWildcard}). {@code taken} says whether a group already
     * has an event of a name (from earlier definitions): automatic names avoid those, as perf avoids
     * existing events.
     *
     * @throws UserException when nothing matches, or nothing that matches can be probed
     */
    static Expansion expand(TargetResolver resolver, ProbeDefinition d, BiPredicate<String, String> taken) {
        String pattern = ((ProbeTarget.Location.Symbol) d.target().location()).name();
        FunctionMatches m = resolver.match(d.target());
        List<ProbeDefinition> out = new ArrayList<>();
        Set<String> named = new HashSet<>();
        int indirect = 0;
        Map<String, Integer> refused = new TreeMap<>();
        for (ElfSymbol f : m.functions()) {
            if (f.isIndirectFunction()) {
                indirect++;
                continue;
            }
            long offset = m.elf().fileOffsetOf(f.value()).orElseThrow();
            var why = ProbeSite.refusal(m.elf(), offset);
            if (why.isPresent()) {
                refused.merge(why.get().reason(), 1, Integer::sum);
                continue;
            }
            String name = d.event() != null ? d.event()
                    : AutoName.forFunction(f.name(), d.isReturn(), n -> named.contains(n) || taken.test(d.group(), n));
            named.add(name);
            out.add(d.resolvedTo(m.shownPath(), offset, name));
        }
        String summary = summary(d.target().path() + ":" + pattern, m, out.size(), indirect, refused);
        if (out.isEmpty()) {
            throw new UserException(summary.replaceFirst("^probe4j: ", "probe4j: nothing to probe: "));
        }
        return new Expansion(out, summary);
    }

    /**
     * {@code probe4j: libc:str*: 130 functions match (112 addresses): 98 probed, skipped 12 indirect (IFUNC),
     * 2 unprobeable (it has a LOCK prefix (0xf0))}.
     */
    private static String summary(String what, FunctionMatches m, int probed, int indirect, Map<String, Integer> refused) {
        StringBuilder b = new StringBuilder("probe4j: ").append(what).append(": ").append(m.matchedNames())
                .append(m.matchedNames() == 1 ? " function matches" : " functions match");
        if (m.functions().size() != m.matchedNames()) {
            b.append(" (").append(m.functions().size()).append(" addresses)");
        }
        b.append(": ").append(probed).append(" probed");
        List<String> skipped = new ArrayList<>();
        if (indirect > 0) {
            skipped.add(indirect + " indirect (IFUNC)");
        }
        refused.forEach((why, n) -> skipped.add(n + " unprobeable (" + why + ")"));
        if (!skipped.isEmpty()) {
            b.append(", skipped ").append(String.join(", ", skipped));
        }
        return b.toString();
    }
}
