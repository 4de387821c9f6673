package io.probe4j.arch.x86_64;

import java.util.List;

/**
 * How the {@link Assembler} says what it emitted: GNU objdump's AT&T syntax, so a listing can be
 * compared with objdump's disassembly of the same bytes, text for text.
 */
final class AttSyntax {
    private AttSyntax() {
    }

    /** An operand as written in a listing, in AT&T order (sources first). */
    sealed interface Arg {
    }

    /** A register at a width. */
    record Reg(Gpr register, Width width) implements Arg {
    }

    /** An immediate, printed as the unsigned value of its width. */
    record Imm(long value, Width width) implements Arg {
    }

    /** A memory operand. */
    record Addr(Mem mem) implements Arg {
    }

    /** A branch target: a label (null for none) or an absolute address. */
    record Target(Label label, long address) implements Arg {
    }

    /** A data directive's value ({@code .byte}, {@code .quad}), printed as the unsigned value of its width. */
    record Literal(long value, Width width) implements Arg {
    }

    /** The {@code *} of an indirect jump or call. */
    record Indirect(Arg of) implements Arg {
    }

    /**
     * The text of an instruction whose next instruction is at {@code end}; {@code base} is where
     * the assembler's offset 0 lives (to place labels).
     */
    static String render(String mnemonic, List<Arg> args, long base, long end) {
        if (args.isEmpty()) {
            return mnemonic;
        }
        StringBuilder sb = new StringBuilder(mnemonic).append(' ');
        String comment = "";
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Arg a = args.get(i);
            if (a instanceof Indirect(Arg of)) {
                sb.append('*');
                a = of;
            }
            switch (a) {
                case Reg(Gpr r, Width w) -> sb.append('%').append(w.name(r));
                case Imm(long v, Width w) -> sb.append("$0x").append(Long.toHexString(w.truncate(v)));
                case Literal(long v, Width w) -> sb.append("0x").append(Long.toHexString(w.truncate(v)));
                case Target t -> sb.append(target(t.label(), t.address(), base));
                case Addr(Mem.Based m) -> based(sb, m);
                case Addr(Mem.Rip(long target)) -> {
                    sb.append(signedHex(target - end)).append("(%rip)");
                    comment = "        # 0x" + Long.toHexString(target);
                }
                case Addr(Mem.RipLabel(Label l)) -> {
                    if (l.isBound()) {
                        long target = base + l.offset;
                        sb.append(signedHex(target - end)).append("(%rip)");
                        comment = "        # 0x" + Long.toHexString(target);
                    } else {
                        sb.append(l.name()).append("(%rip)");
                    }
                }
                case Indirect nested -> throw new IllegalArgumentException("nested indirection");
            }
        }
        return sb.append(comment).toString();
    }

    /** A label's address once bound, its name before. */
    static String target(Label label, long address, long base) {
        if (label == null) {
            return "0x" + Long.toHexString(address);
        }
        return label.isBound() ? "0x" + Long.toHexString(base + label.offset) : label.name();
    }

    private static void based(StringBuilder sb, Mem.Based m) {
        if (m.segment() != Mem.Segment.NONE) {
            sb.append('%').append(m.segment().name().toLowerCase(java.util.Locale.ROOT)).append(':');
        }
        if (m.base() == null && m.index() == null) {
            sb.append("0x").append(Long.toHexString(m.displacement())); // an address: unsigned
            return;
        }
        if (m.displacementSize() > 0) {
            sb.append(signedHex(m.displacement()));
        }
        sb.append('(');
        if (m.base() != null) {
            sb.append('%').append(Width.QWORD.name(m.base()));
        }
        if (m.index() != null) {
            sb.append(",%").append(Width.QWORD.name(m.index())).append(',').append(m.scale());
        }
        sb.append(')');
    }

    private static String signedHex(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }
}
