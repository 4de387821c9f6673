package io.probe4j.arch.x86_64;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The code of one kind of trampoline (same fetch arguments, entry or exit, flags kept or not, same rings,
 * thread layout and return stacks), made once and then copied for each site: trampolines of one kind
 * differ only in a few fields, recorded as holes while the code was assembled ({@link Emitter.Hole}),
 * and in the displaced instructions, which each site relocates for itself. A copy with its holes filled
 * is byte for byte the code the generator makes for that site (tests compare them), because it can only
 * be made where each hole's value has the form it had in the template: the same length of every
 * instruction, the same instructions ({@link Emitter.Field#DECISION}). Elsewhere {@link #code} says no,
 * and the caller generates the code whole.
 *
 * <p>What a hole can be: an immediate or displacement computed from the place ({@link Place}), the
 * address a RIP-relative operand reaches (the pid word: filled relative to the copy's own address), and
 * every other RIP-relative operand reaching a fixed address, filled again relative to the copy. Fields
 * relative to the code's own labels move with it. Code with a branch to a fixed address outside the
 * displaced instructions (its length depends on the place) or the absolute address of a label is no
 * template: such code is generated whole for each site.
 */
final class Template {
    /**
     * What a trampoline takes from its place and its probe.
     *
     * @param at        where the trampoline is
     * @param ip        the probe address ({@code %ip})
     * @param fileDelta the probe's run-time address minus its file offset ({@code @+OFF})
     * @param event     the event id in its records
     * @param pid       the word holding the process id
     * @param exit      a return probe's exit trampoline (entry trampolines of return probes)
     */
    record Place(long at, long ip, long fileDelta, int event, long pid, long exit) {
    }

    /** How the value of a hole is found from a place. */
    @FunctionalInterface
    interface Value {
        long of(Place p);
    }

    static final Value IP = Place::ip;
    static final Value EVENT = Place::event;
    static final Value EXIT = Place::exit;

    private final byte[] code;
    private final int displacedAt;
    private final int displacedLength;
    private final List<Emitter.Hole> holes;
    private final List<Emitter.Reach> fixed;
    /** The fault table as offsets into the code: loads, and where each continues. */
    private final int[] loads;
    private final int[] fixups;

    private Template(byte[] code, int displacedAt, int displacedLength, List<Emitter.Hole> holes, List<Emitter.Reach> fixed,
            int[] loads, int[] fixups) {
        this.code = code;
        this.displacedAt = displacedAt;
        this.displacedLength = displacedLength;
        this.holes = holes;
        this.fixed = fixed;
        this.loads = loads;
        this.fixups = fixups;
    }

    /**
     * The template of the code {@code a} assembled ({@code code}), whose bytes from {@code displacedAt} to
     * {@code displacedEnd} are the site's displaced instructions, and its fault table; null when the code
     * cannot be moved as a template (see the class comment).
     */
    static Template of(Assembler a, byte[] code, int displacedAt, int displacedEnd, List<Trampoline.FaultFixup> faults) {
        Emitter e = a.e;
        if (e.hasAbsoluteLabels()) {
            return null;
        }
        Set<Integer> filled = new HashSet<>();
        for (Emitter.Hole h : e.holes()) {
            if (h.at() + h.size() > displacedAt && h.at() < displacedEnd) {
                return null;
            }
            filled.add(h.at());
        }
        List<Emitter.Reach> fixed = new ArrayList<>();
        for (Emitter.Reach r : e.reaches()) {
            if (r.at() >= displacedAt && r.at() < displacedEnd || filled.contains(r.at())) {
                continue; // the site's own, or a hole
            }
            if (r.branch()) {
                return null; // its length depends on the place
            }
            fixed.add(r);
        }
        int[] loads = new int[faults.size()];
        int[] fixups = new int[faults.size()];
        for (int i = 0; i < loads.length; i++) {
            loads[i] = (int) (faults.get(i).load() - e.base);
            fixups[i] = (int) (faults.get(i).fixup() - e.base);
        }
        return new Template(code, displacedAt, displacedEnd - displacedAt, List.copyOf(e.holes()), fixed, loads, fixups);
    }

    /** Where the displaced instructions start, from the code's start. */
    int displacedAt() {
        return displacedAt;
    }

    /**
     * The code for {@code place}, with {@code displaced} (the site's displaced instructions relocated to
     * {@code place.at() + displacedAt()}); null when this template cannot make it: displaced instructions
     * of another length, or a hole whose value there has another form or does not fit.
     */
    byte[] code(Place place, byte[] displaced) {
        if (displaced.length != displacedLength) {
            return null;
        }
        byte[] out = code.clone();
        System.arraycopy(displaced, 0, out, displacedAt, displaced.length);
        return fill(out, place) ? out : null;
    }

    /** Whether {@link #code} can make the code for {@code place} with displaced instructions of {@code displaced} bytes. */
    boolean fits(Place place, int displaced) {
        return displaced == displacedLength && fill(null, place);
    }

    /** The length of the code. */
    int size() {
        return code.length;
    }

    /** Fills the holes of {@code out} (null: only checks) for {@code place}; false where a value does not fit. */
    private boolean fill(byte[] out, Place place) {
        for (Emitter.Hole h : holes) {
            long v = ((Value) h.tag()).of(place);
            boolean ok = switch (h.field()) {
                case DECISION -> form(v) == form(h.value());
                case TARGET -> put(out, h.at(), h.size(), v - (place.at() + h.end()));
                default -> form(v) == form(h.value()) && put(out, h.at(), h.size(), v);
            };
            if (!ok) {
                return false;
            }
        }
        for (Emitter.Reach r : fixed) {
            if (!put(out, r.at(), r.size(), r.target() - (place.at() + r.end()))) {
                return false;
            }
        }
        return true;
    }

    /** The fault table of a copy at {@code at}. */
    List<Trampoline.FaultFixup> faults(long at) {
        List<Trampoline.FaultFixup> out = new ArrayList<>(loads.length);
        for (int i = 0; i < loads.length; i++) {
            out.add(new Trampoline.FaultFixup(at + loads[i], at + fixups[i]));
        }
        return out;
    }

    /** Writes the low {@code size} bytes of {@code v} at {@code at} (unless {@code code} is null), if they hold it (sign- or zero-extended). */
    private static boolean put(byte[] code, int at, int size, long v) {
        if (size < 8 && v >> (8 * size) != 0 && v >> (8 * size - 1) != -1) {
            return false;
        }
        for (int i = 0; code != null && i < size; i++) {
            code[at + i] = (byte) (v >> (8 * i));
        }
        return true;
    }

    /**
     * What the assembler's choices of encoding depend on, as bits: zero, positive, whether the value (or
     * its low 32 or 16 bits, sign-extended) fits a sign-extended byte, whether it fits 32 bits signed or
     * unsigned. Two values with the same form are encoded alike by every instruction.
     */
    static int form(long v) {
        return (v == 0 ? 1 : 0) | (v > 0 ? 2 : 0) | (v == (byte) v ? 4 : 0) | (v == (int) v ? 8 : 0)
                | (v >>> 32 == 0 ? 16 : 0) | ((int) v == (byte) (int) v ? 32 : 0) | ((short) v == (byte) (short) v ? 64 : 0);
    }
}
