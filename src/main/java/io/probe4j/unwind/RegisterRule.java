package io.probe4j.unwind;

/** How a register of the caller is recovered (DWARF 5, section 6.4.1, "register rules"). */
sealed interface RegisterRule {
    /** The value is lost ({@code DW_CFA_undefined}); for the return address: the outermost frame. */
    record Undefined() implements RegisterRule {
    }

    /** Not changed by this frame ({@code DW_CFA_same_value}; also what a register without a rule is). */
    record SameValue() implements RegisterRule {
    }

    /** Saved in memory at CFA + offset ({@code DW_CFA_offset}). */
    record Offset(long offset) implements RegisterRule {
    }

    /** The value is CFA + offset ({@code DW_CFA_val_offset}). */
    record ValOffset(long offset) implements RegisterRule {
    }

    /** Saved in another register ({@code DW_CFA_register}). */
    record InRegister(int register) implements RegisterRule {
    }

    /** Saved in memory at the address an expression computes, with the CFA pushed first ({@code DW_CFA_expression}). */
    record AtExpression(byte[] expression) implements RegisterRule {
    }

    /** The value an expression computes, with the CFA pushed first ({@code DW_CFA_val_expression}). */
    record IsExpression(byte[] expression) implements RegisterRule {
    }

    RegisterRule UNDEFINED = new Undefined();
    RegisterRule SAME_VALUE = new SameValue();
}
