package io.probe4j.arch.x86_64;

/** An operand size of the {@link Assembler}, with its AT&T suffix and register names. */
public enum Width {
    BYTE(8, 'b'), WORD(16, 'w'), DWORD(32, 'l'), QWORD(64, 'q');

    private static final String[] NAMES64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    private static final String[] NAMES8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};

    private final int bits;
    private final char suffix;

    Width(int bits, char suffix) {
        this.bits = bits;
        this.suffix = suffix;
    }

    /** 8, 16, 32 or 64. */
    public int bits() {
        return bits;
    }

    /** The AT&T mnemonic suffix: b, w, l, q. */
    public char suffix() {
        return suffix;
    }

    /** The register's name at this width as objdump prints it, e.g. {@code r8d}, {@code sil}. */
    public String name(Gpr r) {
        int n = r.number();
        if (n >= 8) {
            return "r" + n + switch (this) {
                case BYTE -> "b";
                case WORD -> "w";
                case DWORD -> "d";
                case QWORD -> "";
            };
        }
        return switch (this) {
            case BYTE -> NAMES8[n];
            case WORD -> NAMES64[n].substring(1);
            case DWORD -> "e" + NAMES64[n].substring(1);
            case QWORD -> NAMES64[n];
        };
    }

    /** {@code v} truncated to this width, as an unsigned value. */
    long truncate(long v) {
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    /** {@code v} truncated to this width and sign-extended back to 64 bits. */
    long signExtend(long v) {
        return bits == 64 ? v : v << (64 - bits) >> (64 - bits);
    }

    /** Whether {@code v} is a value of this width, read either as signed or as unsigned. */
    boolean holds(long v) {
        return bits == 64 || (v >= -(1L << (bits - 1)) && v < (1L << bits));
    }
}
