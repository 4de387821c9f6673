package io.probe4j.unwind;

import java.util.Arrays;

/**
 * One row of the DWARF call-frame table: the CFA rule and a rule per register column 0..16, as they
 * hold at one address. Columns above 16 (vector registers) are not tracked: no caller's pc, sp or
 * general register depends on them.
 */
final class UnwindRow {
    private CfaRule cfa;
    private final RegisterRule[] rules;
    private final boolean[] explicit;

    UnwindRow() {
        this.cfa = null;
        this.rules = new RegisterRule[DwarfRegister.COUNT];
        this.explicit = new boolean[DwarfRegister.COUNT];
        Arrays.fill(rules, RegisterRule.SAME_VALUE);
    }

    private UnwindRow(UnwindRow o) {
        this.cfa = o.cfa;
        this.rules = o.rules.clone();
        this.explicit = o.explicit.clone();
    }

    UnwindRow copy() {
        return new UnwindRow(this);
    }

    /** The CFA rule; null when the program never defined one. */
    CfaRule cfa() {
        return cfa;
    }

    void cfa(CfaRule rule) {
        this.cfa = rule;
    }

    RegisterRule rule(int column) {
        return rules[column];
    }

    /** Whether the program gave the column a rule (else it keeps its value, by convention). */
    boolean hasRule(int column) {
        return explicit[column];
    }

    void rule(int column, RegisterRule rule) {
        if (column >= 0 && column < DwarfRegister.COUNT) {
            rules[column] = rule;
            explicit[column] = true;
        }
    }

    /** {@code DW_CFA_restore}: back to what the CIE's initial instructions said. */
    void restore(int column, UnwindRow initial) {
        if (column >= 0 && column < DwarfRegister.COUNT) {
            rules[column] = initial.rules[column];
            explicit[column] = initial.explicit[column];
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("cfa=" + cfa);
        for (int i = 0; i < rules.length; i++) {
            if (explicit[i]) {
                b.append(' ').append(DwarfRegister.name(i)).append('=').append(rules[i]);
            }
        }
        return b.toString();
    }
}
