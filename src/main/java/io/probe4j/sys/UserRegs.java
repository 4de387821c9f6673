package io.probe4j.sys;

import java.util.Arrays;

/** A copy of one thread's general registers ({@code user_regs_struct}); mutable, not thread-safe. */
public final class UserRegs {
    private static final Reg[] REGS = Reg.values();
    private final long[] values;

    public UserRegs() {
        this(new long[REGS.length]);
    }

    UserRegs(long[] values) {
        if (values.length != REGS.length) {
            throw new IllegalArgumentException("user_regs_struct has " + REGS.length + " registers");
        }
        this.values = values;
    }

    public long get(Reg r) {
        return values[r.ordinal()];
    }

    public UserRegs set(Reg r, long value) {
        values[r.ordinal()] = value;
        return this;
    }

    public long ip() {
        return values[Reg.IP.ordinal()];
    }

    public long sp() {
        return values[Reg.SP.ordinal()];
    }

    public long ax() {
        return values[Reg.AX.ordinal()];
    }

    public UserRegs copy() {
        return new UserRegs(values.clone());
    }

    long[] raw() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserRegs u && Arrays.equals(values, u.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("UserRegs{");
        for (Reg r : REGS) {
            if (r.inPtRegs()) {
                sb.append(r.ptRegsName()).append("=0x").append(Long.toHexString(get(r))).append(r == Reg.SS ? "" : " ");
            }
        }
        return sb.append('}').toString();
    }
}
