package io.probe4j;

import io.probe4j.engine.inline.InlinePlanner;
import io.probe4j.engine.inline.InlineProbe;
import io.probe4j.spec.ProbeDefinition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which engine each probe of a tracer gets when it starts with {@link Engine#INLINE}: a probe that only
 * records a definition's event goes to the inline engine's planner, which takes it or says why not;
 * any other probe keeps the trap engine, and so does every probe at its address (a breakpoint cannot
 * sit on a jump).
 */
final class EnginePlan {
    static final String TRACER_TRAPS = "the tracer runs the trap engine (Tracer.engine(Engine.INLINE) chooses the inline one)";
    static final String AFTER_START = "it was registered after the tracer started (the inline engine patches the program "
            + "when tracing starts)";
    private static final String HANDLERS = "its handlers run while the thread is stopped and may change its registers and "
            + "memory (only a definition's events, from EventProbes, run inline)";
    private static final String STACKS = "its events carry user stacks, which are taken from the stopped thread";

    /**
     * What a probe got. {@code inline} is the inline engine's probe (null on the trap engine); its
     * definition's event name is the one the records carry: the user's, unless two probes share it
     * ({@code NAME#2}, ... then, to tell their records apart).
     */
    record Placement(Engine engine, String whyNotInline, InlineProbe inline) {
        static Placement trap(String why) {
            return new Placement(Engine.TRAP, why, null);
        }
    }

    private EnginePlan() {
    }

    /**
     * Places {@code probes} (registered before the start, in their order) for a tracer of {@code engine};
     * returns the inline ones, each with the inline engine's probe.
     */
    static Map<Probe, InlineProbe> place(Engine engine, Collection<Probe> probes) {
        Map<Probe, InlineProbe> inlined = new LinkedHashMap<>();
        if (engine == Engine.TRAP) {
            probes.forEach(p -> p.placed(Engine.TRAP, TRACER_TRAPS));
            return inlined;
        }
        of(List.copyOf(probes)).forEach((p, at) -> {
            p.placed(at.engine(), at.whyNotInline());
            if (at.inline() != null) {
                inlined.put(p, at.inline());
            }
        });
        return inlined;
    }

    /** The placements of {@code probes} (registered before the start, in their order). */
    private static Map<Probe, Placement> of(List<Probe> probes) {
        Map<Probe, Placement> out = new HashMap<>();
        Map<String, String> trapAt = new HashMap<>(); // by address: why a probe there keeps the trap engine
        for (Probe p : probes) {
            EventRecorder r = EventRecorder.of(p.info()).orElse(null);
            String why = r == null ? HANDLERS : r.takesStacks() ? STACKS : null;
            if (why != null) {
                out.put(p, Placement.trap(why));
                trapAt.putIfAbsent(address(p), why);
            }
        }
        List<Probe> asked = new ArrayList<>();
        List<InlinePlanner.Request> requests = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Probe p : probes) {
            if (out.containsKey(p)) {
                continue;
            }
            String there = trapAt.get(address(p));
            if (there != null) {
                out.put(p, Placement.trap("another probe at its address runs on the trap engine (" + there + ")"));
                continue;
            }
            ProbeDefinition d = EventRecorder.of(p.info()).orElseThrow().definition();
            int n = names.merge(d.group() + "/" + d.event(), 1, Integer::sum);
            ProbeDefinition named = n == 1 ? d : new ProbeDefinition(d.isReturn(), d.group(), d.event() + "#" + n, d.target(), d.args());
            requests.add(new InlinePlanner.Request(named, p.file(), p.fileOffset(), p.point().refCtrOffset() >= 0));
            asked.add(p);
        }
        List<InlinePlanner.Decision> decisions = new InlinePlanner().planAll(requests);
        for (int k = 0; k < asked.size(); k++) {
            out.put(asked.get(k), switch (decisions.get(k)) {
                case InlinePlanner.Inline i -> new Placement(Engine.INLINE, null, i.probe());
                case InlinePlanner.Trap t -> Placement.trap(t.reason());
            });
        }
        return out;
    }

    /** For each definition's probe that does not run inline: which, and why (what the command line prints too). */
    static List<String> fallbacks(Collection<Probe> probes) {
        List<String> lines = new ArrayList<>();
        for (Probe p : probes) {
            EventRecorder.of(p.info()).filter(r -> p.engine() == Engine.TRAP).ifPresent(r -> lines.add(
                    r.definition().group() + "/" + r.definition().event() + " runs on the trap engine: " + p.whyNotInline().orElseThrow()));
        }
        return lines;
    }

    private static String address(Probe p) {
        return p.file() + ":" + p.fileOffset();
    }
}
