package io.probe4j.arch.x86_64;

import io.probe4j.arch.x86_64.AttSyntax.Arg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte-level half of the {@link Assembler}: a growable buffer at a known base address,
 * prefixes, REX, ModRM/SIB/displacement, immediates, labels and the fixups that wait for them,
 * and the listing of what was emitted.
 */
final class Emitter {
    /** REX.W: a 64-bit operand. */
    static final int W = 1;
    /** ModRM.reg names a byte register (%spl..%dil need a REX to be named). */
    static final int BYTE_REG = 2;
    /** A register ModRM.rm names a byte register. */
    static final int BYTE_RM = 4;
    /** The 66 prefix: a 16-bit operand. */
    static final int P66 = 8;
    /** The F3 prefix (mandatory for some opcodes, e.g. rdpid and pause). */
    static final int PF3 = 16;
    /** The lock prefix. */
    static final int LOCK = 32;

    /** One emitted instruction or data directive, rendered to text on demand. */
    record Line(int offset, int length, String mnemonic, List<Arg> args) {
    }

    /** A field to fill once its target is known: relative to the instruction's end, or absolute. */
    private record Fixup(int at, int size, int end, Label label, long target, boolean relative, int line, boolean rip,
            int start, boolean chosen) {
    }

    /** The kinds of field a {@link Hole} can be; {@link #DECISION} has no bytes: the code's shape depends on its value. */
    enum Field { IMMEDIATE, DISPLACEMENT, TARGET, DECISION }

    /**
     * A field whose value depends on where the code is and what it is for: {@code value} is what was
     * written ({@link Field#TARGET}: the absolute address a RIP-relative operand reaches; the field holds
     * it relative to {@code end}, the instruction's end); {@code tag} says, for whoever fills the hole
     * again ({@link Template}), how the value is found.
     */
    record Hole(Field field, int at, int size, int end, long value, Object tag) {
    }

    /** A rel32 (or rel8) field reaching the absolute address {@code target}, from a RIP-relative operand or a branch. */
    record Reach(int at, int size, int end, long target, boolean branch) {
    }

    /**
     * A field relative to a label of the code: the instruction starts at {@code start}, the field at
     * {@code at} holds {@code target - end}; {@code chosen}: a branch whose length was chosen by the
     * distance (rel8 when it reaches), which moving its ends apart or together could change.
     */
    record LabelRef(int start, int at, int size, int end, int target, boolean chosen) {
    }

    /** An immediate, displacement or RIP target written by the current instruction (kept while a hole is pending). */
    private record Written(Field field, int at, int size, long value) {
    }

    final long base;
    private byte[] buf = new byte[256];
    private int size;
    private int start;
    private final List<Line> lines = new ArrayList<>();
    private final List<Fixup> current = new ArrayList<>();
    private final List<Fixup> waiting = new ArrayList<>();
    private final List<Hole> holes = new ArrayList<>();
    private final List<Reach> reaches = new ArrayList<>();
    private final List<LabelRef> labelRefs = new ArrayList<>();
    private final List<Written> written = new ArrayList<>();
    private Field holeField;
    private Object holeTag;
    private long holeValue;
    private boolean absoluteLabels;

    Emitter(long base) {
        this.base = base;
    }

    int size() {
        return size;
    }

    List<Line> lines() {
        return lines;
    }

    byte[] bytes() {
        return Arrays.copyOf(buf, size);
    }

    /** The text of line {@code i}. */
    String text(int i) {
        Line l = lines.get(i);
        return AttSyntax.render(l.mnemonic(), l.args(), base, base + l.offset() + l.length());
    }

    // ---- labels

    Label label(String name) {
        return new Label(this, name);
    }

    void bind(Label l) {
        own(l);
        if (l.isBound()) {
            throw new AssemblyException("label '" + l.name() + "' is bound twice (at 0x" + Long.toHexString(base + l.offset)
                    + " and 0x" + Long.toHexString(base + size) + ")");
        }
        l.offset = size;
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Fixup f = it.next();
            if (f.label == l) {
                resolve(f);
                it.remove();
            }
        }
    }

    void own(Label l) {
        if (l.owner != this) {
            throw new AssemblyException("label '" + l.name() + "' belongs to another assembler");
        }
    }

    /** Throws if any label in use is not bound. */
    void checkBound() {
        if (!waiting.isEmpty()) {
            Fixup f = waiting.getFirst();
            throw new AssemblyException(String.format("label '%s' is never bound (used by %s at 0x%x)",
                    f.label.name(), text(f.line), base + lines.get(f.line).offset()));
        }
    }

    // ---- instructions

    void begin() {
        start = size;
    }

    /** Records the instruction begun last and fills its fields that can be filled now. */
    void end(String mnemonic, Arg... args) {
        lines.add(new Line(start, size - start, mnemonic, List.of(args)));
        List<Fixup> later = new ArrayList<>();
        try {
            for (Fixup f : current) {
                Fixup done = new Fixup(f.at, f.size, size, f.label, f.target, f.relative, lines.size() - 1, f.rip, f.start,
                        f.chosen);
                if (f.label == null || f.label.isBound()) {
                    resolve(done);
                } else {
                    later.add(done);
                }
                if (f.label == null && f.relative) {
                    reaches.add(new Reach(f.at, f.size, size, f.target, !f.rip));
                }
            }
            if (holeField != null) {
                holes.add(hole());
            }
        } catch (AssemblyException e) {
            lines.removeLast(); // the instruction is not emitted; the code so far stays usable
            while (!reaches.isEmpty() && reaches.getLast().at() >= start) {
                reaches.removeLast();
            }
            while (!labelRefs.isEmpty() && labelRefs.getLast().start() >= start) {
                labelRefs.removeLast();
            }
            size = start;
            throw e;
        } finally {
            current.clear();
            written.clear();
            holeField = null;
        }
        waiting.addAll(later);
    }

    // ---- holes: what a template fills in again

    /**
     * The next instruction's one field of kind {@code field} (its immediate, its displacement, or the
     * address its RIP-relative operand reaches) is {@code value}, found from the code's place by {@code tag}.
     */
    void hole(Field field, Object tag, long value) {
        if (holeField != null) {
            throw new IllegalStateException("a hole is already pending");
        }
        holeField = field;
        holeTag = tag;
        holeValue = value;
    }

    /** The code from here on is shaped by {@code value} (found by {@code tag}), with no field of its own. */
    void decision(Object tag, long value) {
        holes.add(new Hole(Field.DECISION, size, 0, size, value, tag));
    }

    List<Hole> holes() {
        return holes;
    }

    List<Reach> reaches() {
        return reaches;
    }

    List<LabelRef> labelRefs() {
        return labelRefs;
    }

    /** Whether a field holds the absolute address of a label (which moving the code would change). */
    boolean hasAbsoluteLabels() {
        return absoluteLabels;
    }

    /** The pending hole: the one field of its kind the instruction wrote, which must hold its value. */
    private Hole hole() {
        Written found = null;
        for (Written w : written) {
            if (w.field() == holeField) {
                if (found != null) {
                    throw new IllegalStateException("two " + holeField + " fields in " + text(lines.size() - 1));
                }
                found = w;
            }
        }
        long mask = found == null || found.size() >= 8 ? -1L : (1L << (8 * found.size())) - 1;
        if (found == null || holeField != Field.TARGET && found.size() > 0 && ((found.value() ^ holeValue) & mask) != 0
                || holeField == Field.TARGET && found.value() != holeValue || found.size() == 0 && holeValue != 0) {
            throw new IllegalStateException("no " + holeField + " field of value 0x" + Long.toHexString(holeValue) + " in "
                    + text(lines.size() - 1));
        }
        return new Hole(holeField, found.at(), found.size(), size, holeValue, holeTag);
    }

    /** An immediate, displacement or address field of the current instruction, written now (the address later). */
    private void wrote(Field field, long value, int bytes) {
        if (holeField != null) {
            written.add(new Written(field, size, bytes, value));
        }
    }

    void byte1(int b) {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, size * 2);
        }
        buf[size++] = (byte) b;
    }

    /** An immediate of {@code bytes} bytes. */
    void imm(long v, int bytes) {
        wrote(Field.IMMEDIATE, v, bytes);
        put(v, bytes);
    }

    private void put(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            byte1((int) (v >> (8 * i)));
        }
    }

    /** A 1- to 3-byte opcode, written big-end first: {@code 0x0fb6} is {@code 0F B6}. */
    void opcode(int op) {
        if (op > 0xffff) {
            byte1(op >> 16);
        }
        if (op > 0xff) {
            byte1(op >> 8);
        }
        byte1(op);
    }

    /** A field of {@code bytes} (1, 4 or 8) for a label's or an absolute address, relative to the instruction's end or not. */
    void fixup(int bytes, Label label, long target, boolean relative) {
        fixup(bytes, label, target, relative, false, false);
    }

    /** A branch's field; {@code chosen}: its length was chosen by the distance to {@code label}. */
    void fixup(int bytes, Label label, long target, boolean relative, boolean chosen) {
        fixup(bytes, label, target, relative, false, chosen && label != null && label.isBound());
    }

    private void fixup(int bytes, Label label, long target, boolean relative, boolean rip, boolean chosen) {
        if (label != null) {
            own(label);
            absoluteLabels |= !relative;
        } else if (rip) {
            wrote(Field.TARGET, target, bytes);
        }
        current.add(new Fixup(size, bytes, -1, label, target, relative, -1, rip, start, chosen));
        put(0, bytes);
    }

    /** Prefixes in GNU as's order (segment, 66, F3, lock), then REX when needed. */
    private void prefixes(int flags, Mem.Segment seg, int reg, int index, int rm, boolean byteRegister) {
        if (seg != Mem.Segment.NONE) {
            byte1(seg.prefix);
        }
        if ((flags & P66) != 0) {
            byte1(0x66);
        }
        if ((flags & PF3) != 0) {
            byte1(0xf3);
        }
        if ((flags & LOCK) != 0) {
            byte1(0xf0);
        }
        int rex = ((flags & W) != 0 ? 8 : 0) | (reg >> 3 & 1) << 2 | (index >> 3 & 1) << 1 | (rm >> 3 & 1);
        if (rex != 0 || byteRegister) {
            byte1(0x40 | rex);
        }
    }

    /** An opcode without ModRM, after its prefixes (and REX.W when {@code flags} has {@link #W}). */
    void op(int flags, int op) {
        prefixes(flags, Mem.Segment.NONE, 0, 0, 0, false);
        opcode(op);
    }

    private static boolean needsRex8(int flags, int bit, int n) {
        return (flags & bit) != 0 && n >= 4 && n < 8;
    }

    /** An opcode with the register in its low three bits ({@code push}, {@code mov r, imm}). */
    void opReg(int flags, int op, Gpr r) {
        prefixes(flags, Mem.Segment.NONE, 0, 0, r.number(), needsRex8(flags, BYTE_RM, r.number()));
        byte1(op | r.number() & 7);
    }

    /** {@code op} with ModRM: {@code reg} (a register number or a /digit) and the register {@code rm}. */
    void modrm(int flags, int op, int reg, Gpr rm) {
        prefixes(flags, Mem.Segment.NONE, reg, 0, rm.number(),
                needsRex8(flags, BYTE_REG, reg) || needsRex8(flags, BYTE_RM, rm.number()));
        opcode(op);
        byte1(0xc0 | (reg & 7) << 3 | rm.number() & 7);
    }

    /** {@code op} with ModRM: {@code reg} (a register number or a /digit) and the memory operand {@code m}. */
    void modrm(int flags, int op, int reg, Mem m) {
        boolean rex8 = needsRex8(flags, BYTE_REG, reg);
        switch (m) {
            case Mem.Based b -> {
                int base = b.base() == null ? 5 : b.base().number();
                int index = b.index() == null ? 4 : b.index().number();
                prefixes(flags, b.segment(), reg, index, base, rex8);
                opcode(op);
                int disp = b.displacementSize();
                int mod = b.base() == null ? 0 : disp == 0 ? 0 : disp == 1 ? 1 : 2;
                if (b.needsSib()) {
                    byte1(mod << 6 | (reg & 7) << 3 | 4);
                    byte1(Integer.numberOfTrailingZeros(b.scale()) << 6 | (index & 7) << 3 | base & 7);
                } else {
                    byte1(mod << 6 | (reg & 7) << 3 | base & 7);
                }
                wrote(Field.DISPLACEMENT, b.displacement(), disp);
                put(b.displacement(), disp);
            }
            case Mem.Rip r -> {
                prefixes(flags, Mem.Segment.NONE, reg, 0, 0, rex8);
                opcode(op);
                byte1((reg & 7) << 3 | 5);
                fixup(4, null, r.target(), true, true, false);
            }
            case Mem.RipLabel r -> {
                prefixes(flags, Mem.Segment.NONE, reg, 0, 0, rex8);
                opcode(op);
                byte1((reg & 7) << 3 | 5);
                fixup(4, r.label(), 0, true, true, false);
            }
        }
    }

    /** Whether a rel8 branch of {@code length} bytes emitted now reaches the bound label or address. */
    boolean reachesShort(Label label, long target, int length) {
        if (label != null && !label.isBound()) {
            return false;
        }
        long to = label != null ? base + label.offset : target;
        long d = to - (base + size + length);
        return d == (byte) d;
    }

    private void resolve(Fixup f) {
        long to = f.label == null ? f.target : base + f.label.offset;
        long v = f.relative ? to - (base + f.end) : to;
        if (f.size == 1 && v != (byte) v || f.size == 4 && v != (int) v) {
            Line l = lines.get(f.line);
            String field = l.args().stream().anyMatch(a -> a instanceof AttSyntax.Target)
                    ? "rel" + f.size * 8 + " displacement" : "RIP-relative disp32";
            throw new AssemblyException(String.format("%s at 0x%x: 0x%x is out of reach of its %s (%d bytes away from 0x%x)",
                    text(f.line), base + l.offset(), to, field, v, base + f.end));
        }
        for (int i = 0; i < f.size; i++) {
            buf[f.at + i] = (byte) (v >> (8 * i));
        }
        if (f.label != null && f.relative) {
            labelRefs.add(new LabelRef(f.start, f.at, f.size, f.end, f.label.offset, f.chosen));
        }
    }
}
