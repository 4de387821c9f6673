package io.probe4j.arch.x86_64;

/**
 * The sixteen condition codes of {@code jcc}/{@code setcc}/{@code cmovcc}, in encoding order
 * (the low nibble of {@code 70+cc} and {@code 0F 80+cc}).
 */
public enum Condition {
    O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G;

    /** RFLAGS bits the conditions read. */
    public static final long CF = 1L, PF = 1L << 2, ZF = 1L << 6, SF = 1L << 7, OF = 1L << 11;

    private static final Condition[] BY_CODE = values();

    /** The condition with encoding {@code code} (0-15). */
    public static Condition of(int code) {
        return BY_CODE[code & 15];
    }

    /** The four-bit encoding. */
    public int code() {
        return ordinal();
    }

    /** Whether the condition holds for this RFLAGS value. */
    public boolean holds(long flags) {
        boolean cf = (flags & CF) != 0;
        boolean zf = (flags & ZF) != 0;
        boolean sf = (flags & SF) != 0;
        boolean of = (flags & OF) != 0;
        boolean pf = (flags & PF) != 0;
        boolean base = switch (ordinal() >> 1) {
            case 0 -> of;
            case 1 -> cf;
            case 2 -> zf;
            case 3 -> cf || zf;
            case 4 -> sf;
            case 5 -> pf;
            case 6 -> sf != of;
            default -> zf || sf != of;
        };
        return (ordinal() & 1) == 0 ? base : !base;
    }

    /** The mnemonic suffix, e.g. {@code "ne"}. */
    public String suffix() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
