package io.probe4j.unwind;

/** How a frame's canonical frame address (the caller's rsp before its call) is computed. */
sealed interface CfaRule {
    /** {@code DW_CFA_def_cfa}: a register plus an offset. */
    record RegisterOffset(int register, long offset) implements CfaRule {
    }

    /** {@code DW_CFA_def_cfa_expression}: a DWARF expression's value (PLT entries, signal frames). */
    record Expression(byte[] expression) implements CfaRule {
    }
}
