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

    /**
     * What makes trampolines of one kind: which generator ({@code type}), entry or return record, the
     * fetch arguments, flags kept, rings, thread layout, return stacks (null where not used). Compared
     * field by field, the same objects first: a thousand probes of a wildcard share them, and a lookup
     * must not cost more than the copy.
     */
    private record Kind(int type, boolean isReturn, List<FetchArg> args, boolean keepFlags, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, ReturnTrampolines.Stacks stacks) {
        static final int ENTRY = 0, RETURN_ENTRY = 1, EXIT = 2;

        @Override
        public boolean equals(Object o) {
            return o instanceof Kind k && type == k.type && isReturn == k.isReturn && keepFlags == k.keepFlags
                    && same(args, k.args) && same(rings, k.rings) && same(thread, k.thread) && same(stacks, k.stacks);
        }

        @Override
        public int hashCode() {
            return type * 31 + (args == null ? 0 : args.size()) * 7 + (keepFlags ? 1 : 0) + (isReturn ? 2 : 0)
                    + (rings == null ? 0 : Long.hashCode(rings.address())) + (stacks == null ? 0 : Long.hashCode(stacks.address()));
        }

        private static boolean same(Object a, Object b) {
            return a == b || a != null && a.equals(b);
        }
    }

    /**
     * A kind's templates: the first one made, which bounds the sizes of its copies, and all of them in the
     * order a copy tries them, the last one copied first. Sites in address order come in long runs that one
     * template takes (the first events fit an 8-bit immediate, the later ones need 32 bits), and a template
     * that says no has copied the code before it finds out: in the order they were made, a thousand sites
     * cost three thousand copies.
     */
    private static final class Shelf {
        Template first;
        final List<Template> inTurn = new ArrayList<>();
    }

    private final Map<Kind, Shelf> templates = new HashMap<>();
    private int generated;

    /** As {@link TrampolineGenerator#entry}. */
    public Trampoline entry(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
        Kind kind = entryKind(probe, rings, thread);
        Template.Place place = TrampolineGenerator.place(at, probe);
        Copy copy = copy(kind, place, probe.site());
        if (copy == null) {
            return keep(kind, TrampolineGenerator.made(at, probe, rings, thread));
        }
        return new Trampoline(at, copy.code(), probe.site().address(), Displaced.patch(probe.site(), at),
                Displaced.original(probe.site()), copy.template().faults(at, copy.displaced()),
                () -> TrampolineGenerator.entry(at, probe, rings, thread).listing().get());
    }

    /** As {@link ReturnTrampolines#entry}. */
    public Trampoline returnEntry(long at, JumpSite.Patchable site, long exit, ReturnTrampolines.Stacks stacks) {
        Kind kind = returnEntryKind(stacks);
        Copy copy = copy(kind, ReturnTrampolines.entryPlace(at, site, exit), site);
        if (copy == null) {
            return keep(kind, ReturnTrampolines.madeEntry(at, site, exit, stacks));
        }
        return new Trampoline(at, copy.code(), site.address(), Displaced.patch(site, at), Displaced.original(site),
                copy.template().faults(at, copy.displaced()), () -> ReturnTrampolines.entry(at, site, exit, stacks).listing().get());
    }

    /** As {@link ReturnTrampolines#exit}. */
    public ReturnTrampolines.Exit exit(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, ReturnTrampolines.Stacks stacks) {
        Kind kind = exitKind(probe, rings, thread, stacks);
        Copy copy = copy(kind, TrampolineGenerator.place(at, probe), null);
        if (copy == null) {
            return keep(kind, ReturnTrampolines.madeExit(at, probe, rings, thread, stacks));
        }
        return new ReturnTrampolines.Exit(at, copy.code(), copy.template().faults(at, copy.displaced()),
                () -> ReturnTrampolines.exit(at, probe, rings, thread, stacks).listing().get());
    }

    private static Kind entryKind(TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
        return new Kind(Kind.ENTRY, probe.event().isReturn(), probe.event().args(), probe.keepFlags(), rings, thread, null);
    }

    private static Kind returnEntryKind(ReturnTrampolines.Stacks stacks) {
        return new Kind(Kind.RETURN_ENTRY, false, null, false, null, null, stacks);
    }

    private static Kind exitKind(TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, ReturnTrampolines.Stacks stacks) {
        return new Kind(Kind.EXIT, true, probe.event().args(), false, rings, thread, stacks);
    }

    /**
     * The size of {@link #entry}'s code, without making it when a template of the kind can: for
     * planning, where only the size matters.
     */
    public int entrySize(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
        int size = size(entryKind(probe, rings, thread), TrampolineGenerator.place(at, probe), probe.site());
        return size >= 0 ? size : entry(at, probe, rings, thread).code().length;
    }

    /** The size of {@link #exit}'s code, likewise. */
    public int exitSize(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, ReturnTrampolines.Stacks stacks) {
        int size = size(exitKind(probe, rings, thread, stacks), TrampolineGenerator.place(at, probe), null);
        return size >= 0 ? size : exit(at, probe, rings, thread, stacks).code().length;
    }

    /**
     * At least the size of {@link #entry}'s code, from the first template of the kind and nothing of the
     * site but its instructions (no copy, no relocation): for sizing an area and for planning, where a
     * bound far below a limit is as good as the size. The kind's first probe is generated whole.
     */
    public int entryBound(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread) {
        Shelf shelf = templates.get(entryKind(probe, rings, thread));
        if (shelf == null || shelf.first == null) {
            return entry(at, probe, rings, thread).code().length;
        }
        return shelf.first.bound(Displaced.bound(probe.site()));
    }

    /** At least the size of {@link #returnEntry}'s code, likewise. */
    public int returnEntryBound(long at, JumpSite.Patchable site, long exit, ReturnTrampolines.Stacks stacks) {
        Shelf shelf = templates.get(returnEntryKind(stacks));
        if (shelf == null || shelf.first == null) {
            return returnEntry(at, site, exit, stacks).code().length;
        }
        return shelf.first.bound(Displaced.bound(site));
    }

    /** How many times code was generated whole (the others were copies). */
    public int generated() {
        return generated;
    }

    /** A copy's code, its template, and the length of its displaced instructions. */
    private record Copy(byte[] code, Template template, int displaced) {
    }

    /** A copy of one of the kind's templates for {@code place} ({@code site}: its displaced instructions), or null. */
    private Copy copy(Kind kind, Template.Place place, JumpSite.Patchable site) {
        Shelf shelf = templates.get(kind);
        if (shelf == null) {
            return null;
        }
        byte[] displaced = new byte[0];
        long displacedFor = -1;
        for (int i = 0; i < shelf.inTurn.size(); i++) {
            Template t = shelf.inTurn.get(i);
            if (site != null && displacedFor != t.displacedAt()) { // most often the same for every template of a kind
                displaced = Displaced.bytes(site, place.at() + t.displacedAt());
                displacedFor = t.displacedAt();
            }
            byte[] code = t.code(place, displaced);
            if (code != null) {
                if (i > 0) {
                    shelf.inTurn.addFirst(shelf.inTurn.remove(i));
                }
                return new Copy(code, t, displaced.length);
            }
        }
        return null;
    }

    /** The size of a copy of one of the kind's templates for {@code place}, or -1. */
    private int size(Kind kind, Template.Place place, JumpSite.Patchable site) {
        Shelf shelf = templates.get(kind);
        if (shelf == null) {
            return -1;
        }
        int displaced = site == null ? 0 : Displaced.size(site);
        for (Template t : shelf.inTurn) {
            int size = t.size(place, displaced);
            if (size >= 0) {
                return size;
            }
        }
        return -1;
    }

    private <T> T keep(Kind kind, TrampolineGenerator.Made<T> made) {
        generated++;
        Shelf shelf = templates.computeIfAbsent(kind, k -> new Shelf());
        if (made.template() != null && shelf.inTurn.size() < MAX_PER_KIND) {
            if (shelf.first == null) {
                shelf.first = made.template();
            }
            shelf.inTurn.add(made.template());
        }
        return made.code();
    }
}
