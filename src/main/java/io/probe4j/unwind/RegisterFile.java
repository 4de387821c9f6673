package io.probe4j.unwind;

import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * The values of the DWARF columns 0..16 in one frame, each known or not (a caller-saved register is
 * lost once a callee ran; a CFI rule {@code undefined} says so explicitly).
 */
public final class RegisterFile {
    private final long[] values = new long[DwarfRegister.COUNT];
    private final boolean[] known = new boolean[DwarfRegister.COUNT];

    /** Every register unknown. */
    public RegisterFile() {
    }

    /**
     * The registers a stopped thread has, {@code read} giving each by its kernel {@code pt_regs} name
     * ({@code ax dx cx bx si di bp sp r8..r15 ip}, as {@link io.probe4j.ProbeContext#register} takes them).
     */
    public static RegisterFile of(ToLongFunction<String> read) {
        RegisterFile regs = new RegisterFile();
        for (DwarfRegister r : DwarfRegister.values()) {
            regs.set(r, read.applyAsLong(r.reg().ptRegsName()));
        }
        return regs;
    }

    private RegisterFile(RegisterFile other) {
        System.arraycopy(other.values, 0, values, 0, values.length);
        System.arraycopy(other.known, 0, known, 0, known.length);
    }

    public RegisterFile copy() {
        return new RegisterFile(this);
    }

    public RegisterFile set(DwarfRegister r, long value) {
        return set(r.column(), value);
    }

    RegisterFile set(int column, long value) {
        values[column] = value;
        known[column] = true;
        return this;
    }

    void forget(int column) {
        known[column] = false;
        values[column] = 0;
    }

    public boolean isKnown(DwarfRegister r) {
        return known[r.column()];
    }

    boolean isKnown(int column) {
        return column >= 0 && column < DwarfRegister.COUNT && known[column];
    }

    /** The value; 0 when unknown (check {@link #isKnown}). */
    public long get(DwarfRegister r) {
        return values[r.column()];
    }

    /** The value of column {@code column} (0..16); 0 when unknown. */
    long value(int column) {
        return values[column];
    }

    /** The value of a column the caller knows to be known, or a {@link CfiException} naming it. */
    long require(int column, String doing) {
        if (!isKnown(column)) {
            throw new CfiException(doing + " needs " + DwarfRegister.name(column) + ", whose value is not known in this frame");
        }
        return values[column];
    }

    public long ip() {
        return values[DwarfRegister.RA_COLUMN];
    }

    public long sp() {
        return values[DwarfRegister.RSP_COLUMN];
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (known[i]) {
                b.append(b.length() > 1 ? " " : "").append(DwarfRegister.name(i)).append("=0x").append(Long.toHexString(values[i]));
            }
        }
        return b.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegisterFile r && Arrays.equals(values, r.values) && Arrays.equals(known, r.known);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
