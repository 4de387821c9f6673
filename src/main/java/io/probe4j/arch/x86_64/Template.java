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
 * is byte for byte the code the generator makes for that site (tests compare them), because it is only
 * made where each hole's value has the form it had in the template: the same length of every
 * instruction, the same instructions ({@link Emitter.Field#DECISION}). Elsewhere {@link #code} says no,
 * and the caller generates the code whole.
 *
 * <p>What a hole can be: an immediate or displacement computed from the place ({@link Place}), the
 * address a RIP-relative operand reaches (the pid word: filled relative to the copy's own address), and
 * every other RIP-relative operand reaching a fixed address, filled again relative to the copy. Fields
 * relative to the code's own labels move with it. Displaced instructions of another length move the code
 * after them (the slow paths): the branches between the two sides get their distances again, and a
 * branch whose length the assembler chose by its distance must keep that length. Code with a branch to a
 * fixed address outside the displaced instructions (its length depends on the place) or the absolute
 * address of a label is no template: such code is generated whole for each site.
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
    /** Where the code after the displaced instructions starts. */
    private final int displacedEnd;
    /*
     * The holes, the fields reaching fixed addresses and the branches across the displaced instructions
     * (from one side to the other), field by field in arrays: a copy reads them a thousand times in a cold
     * JVM, where each record accessor is a call the interpreter makes. Offsets are the template's own.
     */
    private final Value[] holeValue;
    private final Emitter.Field[] holeField;
    private final int[] holeAt, holeSize, holeEnd;
    /** The form of the value each hole had in the template ({@link #form}). */
    private final int[] holeForm;
    private final int[] fixedAt, fixedSize, fixedEnd;
    private final long[] fixedTarget;
    private final int[] acrossStart, acrossAt, acrossSize, acrossEnd, acrossTarget;
    private final boolean[] acrossChosen;
    /** The fault table as offsets into the code: loads, and where each continues. */
    private final int[] loads;
    private final int[] fixups;

    private Template(byte[] code, int displacedAt, int displacedEnd, List<Emitter.Hole> holes, List<Emitter.Reach> fixed,
            List<Emitter.LabelRef> across, int[] loads, int[] fixups) {
        this.code = code;
        this.displacedAt = displacedAt;
        this.displacedEnd = displacedEnd;
        int n = holes.size();
        holeValue = new Value[n];
        holeField = new Emitter.Field[n];
        holeAt = new int[n];
        holeSize = new int[n];
        holeEnd = new int[n];
        holeForm = new int[n];
        for (int i = 0; i < n; i++) {
            Emitter.Hole h = holes.get(i);
            holeValue[i] = (Value) h.tag();
            holeField[i] = h.field();
            holeAt[i] = h.at();
            holeSize[i] = h.size();
            holeEnd[i] = h.end();
            holeForm[i] = form(h.value());
        }
        n = fixed.size();
        fixedAt = new int[n];
        fixedSize = new int[n];
        fixedEnd = new int[n];
        fixedTarget = new long[n];
        for (int i = 0; i < n; i++) {
            Emitter.Reach r = fixed.get(i);
            fixedAt[i] = r.at();
            fixedSize[i] = r.size();
            fixedEnd[i] = r.end();
            fixedTarget[i] = r.target();
        }
        n = across.size();
        acrossStart = new int[n];
        acrossAt = new int[n];
        acrossSize = new int[n];
        acrossEnd = new int[n];
        acrossTarget = new int[n];
        acrossChosen = new boolean[n];
        for (int i = 0; i < n; i++) {
            Emitter.LabelRef r = across.get(i);
            acrossStart[i] = r.start();
            acrossAt[i] = r.at();
            acrossSize[i] = r.size();
            acrossEnd[i] = r.end();
            acrossTarget[i] = r.target();
            acrossChosen[i] = r.chosen();
        }
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
        List<Emitter.LabelRef> across = new ArrayList<>();
        for (Emitter.LabelRef r : e.labelRefs()) {
            if (r.at() >= displacedAt && r.at() < displacedEnd || r.target() > displacedAt && r.target() < displacedEnd) {
                return null; // no label is among the displaced instructions
            }
            if (r.at() >= displacedEnd != r.target() >= displacedEnd) {
                across.add(r);
            }
        }
        int[] loads = new int[faults.size()];
        int[] fixups = new int[faults.size()];
        for (int i = 0; i < loads.length; i++) {
            loads[i] = (int) (faults.get(i).load() - e.base);
            fixups[i] = (int) (faults.get(i).fixup() - e.base);
        }
        return new Template(code, displacedAt, displacedEnd, List.copyOf(e.holes()), fixed, across, loads, fixups);
    }

    /** Where the displaced instructions start, from the code's start. */
    int displacedAt() {
        return displacedAt;
    }

    /**
     * The code for {@code place}, with {@code displaced} (the site's displaced instructions relocated to
     * {@code place.at() + displacedAt()}); null when this template cannot make it: a hole whose value there
     * has another form or does not fit, or a branch across the displaced instructions whose length would
     * change.
     */
    byte[] code(Place place, byte[] displaced) {
        int delta = displaced.length - (displacedEnd - displacedAt);
        byte[] out = new byte[code.length + delta];
        System.arraycopy(code, 0, out, 0, displacedAt);
        System.arraycopy(displaced, 0, out, displacedAt, displaced.length);
        System.arraycopy(code, displacedEnd, out, displacedEnd + delta, code.length - displacedEnd);
        return fill(out, place, delta) ? out : null;
    }

    /** The length of {@link #code} for {@code place} and displaced instructions of {@code displaced} bytes, or -1. */
    int size(Place place, int displaced) {
        int delta = displaced - (displacedEnd - displacedAt);
        return fill(null, place, delta) ? code.length + delta : -1;
    }

    /**
     * At least the length of any copy whose displaced instructions take at most {@code displaced} bytes:
     * each branch across them may grow to rel32 (4 bytes more), each hole to its longest form (an
     * immediate of 4 bytes where 8 or a present instruction where none: 8 more, at most).
     */
    int bound(int displaced) {
        return code.length + Math.max(0, displaced - (displacedEnd - displacedAt)) + 4 * acrossAt.length + 8 * holeAt.length;
    }

    /** The fault table of a copy at {@code at} whose displaced instructions are {@code displaced} bytes. */
    List<Trampoline.FaultFixup> faults(long at, int displaced) {
        int delta = displaced - (displacedEnd - displacedAt);
        List<Trampoline.FaultFixup> out = new ArrayList<>(loads.length);
        for (int i = 0; i < loads.length; i++) {
            out.add(new Trampoline.FaultFixup(at + moved(loads[i], delta), at + moved(fixups[i], delta)));
        }
        return out;
    }

    /** Where an offset of the template is in a copy whose displaced instructions are {@code delta} bytes longer. */
    private int moved(int offset, int delta) {
        return offset >= displacedEnd ? offset + delta : offset;
    }

    /** Fills the holes of {@code out} (null: only checks) for {@code place}; false where a value does not fit. */
    private boolean fill(byte[] out, Place place, int delta) {
        for (int i = 0; i < acrossAt.length; i++) {
            int start = moved(acrossStart[i], delta);
            int target = moved(acrossTarget[i], delta);
            // the assembler takes rel8 exactly when the label is bound and 2 bytes of branch reach it
            if (acrossChosen[i] && (acrossSize[i] == 1) != (target - (start + 2) == (byte) (target - (start + 2)))
                    || !put(out, moved(acrossAt[i], delta), acrossSize[i], target - moved(acrossEnd[i], delta))) {
                return false;
            }
        }
        for (int i = 0; i < holeAt.length; i++) {
            long v = holeValue[i].of(place);
            int at = moved(holeAt[i], delta);
            boolean ok = switch (holeField[i]) {
                case DECISION -> form(v) == holeForm[i];
                case TARGET -> put(out, at, holeSize[i], v - (place.at() + moved(holeEnd[i], delta)));
                default -> form(v) == holeForm[i] && put(out, at, holeSize[i], v);
            };
            if (!ok) {
                return false;
            }
        }
        for (int i = 0; i < fixedAt.length; i++) {
            if (!put(out, moved(fixedAt[i], delta), fixedSize[i], fixedTarget[i] - (place.at() + moved(fixedEnd[i], delta)))) {
                return false;
            }
        }
        return true;
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
