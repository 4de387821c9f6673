package io.probe4j.arch.x86_64;

import io.probe4j.spec.FetchArg;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Trampolines made from templates ({@link Template}): the code of a kind is generated once, each other
 * site of the kind gets a copy with its holes filled and its own displaced instructions. The result is
 * byte for byte what {@link TrampolineGenerator#entry}, {@link ReturnTrampolines#entry} and
 * {@link ReturnTrampolines#exit} make (the listing is made by them, when asked); attaching a thousand
 * probes costs a few generations and a thousand copies. A site a template cannot make (its displaced
 * instructions of another length, a value of another form) is generated whole and its code becomes one
 * more template of the kind. Not thread-safe: one per process being patched.
 */
public final class Trampolines {
    /** Templates kept per kind: beyond, sites of unusual shapes are generated whole without being kept. */
    private static final int MAX_PER_KIND = 64;

    private record EntryKind(boolean isReturn, List<FetchArg> args, boolean keepFlags, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
    }

    private record ReturnEntryKind(ReturnTrampolines.Stacks stacks) {
    }

    private record ExitKind(List<FetchArg> args, TrampolineGenerator.Rings rings, TrampolineGenerator.ThreadLayout thread,
            ReturnTrampolines.Stacks stacks) {
    }

    private final Map<Object, List<Template>> templates = new HashMap<>();
    private int generated;

    /** As {@link TrampolineGenerator#entry}. */
    public Trampoline entry(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
        EntryKind kind = new EntryKind(probe.event().isReturn(), probe.event().args(), probe.keepFlags(), rings,
                thread);
        Template.Place place = TrampolineGenerator.place(at, probe);
        Copy copy = copy(kind, place, probe.site());
        if (copy == null) {
            return keep(kind, TrampolineGenerator.made(at, probe, rings, thread));
        }
        return new Trampoline(at, copy.code(), probe.site().address(), Displaced.patch(probe.site(), at),
                Displaced.original(probe.site()), copy.template().faults(at),
                () -> TrampolineGenerator.entry(at, probe, rings, thread).listing().get());
    }

    /** As {@link ReturnTrampolines#entry}. */
    public Trampoline returnEntry(long at, JumpSite.Patchable site, long exit, ReturnTrampolines.Stacks stacks) {
        ReturnEntryKind kind = new ReturnEntryKind(stacks);
        Copy copy = copy(kind, ReturnTrampolines.entryPlace(at, site, exit), site);
        if (copy == null) {
            return keep(kind, ReturnTrampolines.madeEntry(at, site, exit, stacks));
        }
        return new Trampoline(at, copy.code(), site.address(), Displaced.patch(site, at), Displaced.original(site),
                copy.template().faults(at), () -> ReturnTrampolines.entry(at, site, exit, stacks).listing().get());
    }

    /** As {@link ReturnTrampolines#exit}. */
    public ReturnTrampolines.Exit exit(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, ReturnTrampolines.Stacks stacks) {
        ExitKind kind = new ExitKind(probe.event().args(), rings, thread, stacks);
        Copy copy = copy(kind, TrampolineGenerator.place(at, probe), null);
        if (copy == null) {
            return keep(kind, ReturnTrampolines.madeExit(at, probe, rings, thread, stacks));
        }
        return new ReturnTrampolines.Exit(at, copy.code(), copy.template().faults(at),
                () -> ReturnTrampolines.exit(at, probe, rings, thread, stacks).listing().get());
    }

    /** How many times code was generated whole (the others were copies). */
    public int generated() {
        return generated;
    }

    private record Copy(byte[] code, Template template) {
    }

    /** A copy of one of the kind's templates for {@code place} ({@code site}: its displaced instructions), or null. */
    private Copy copy(Object kind, Template.Place place, JumpSite.Patchable site) {
        List<Template> these = templates.get(kind);
        if (these == null) {
            return null;
        }
        byte[] displaced = new byte[0];
        long displacedFor = -1;
        for (Template t : these) {
            if (site != null && displacedFor != t.displacedAt()) { // most often the same for every template of a kind
                displaced = Displaced.bytes(site, place.at() + t.displacedAt());
                displacedFor = t.displacedAt();
            }
            byte[] code = t.code(place, displaced);
            if (code != null) {
                return new Copy(code, t);
            }
        }
        return null;
    }

    private <T> T keep(Object kind, TrampolineGenerator.Made<T> made) {
        generated++;
        List<Template> these = templates.computeIfAbsent(kind, k -> new ArrayList<>());
        if (made.template() != null && these.size() < MAX_PER_KIND) {
            these.add(made.template());
        }
        return made.code();
    }
}
