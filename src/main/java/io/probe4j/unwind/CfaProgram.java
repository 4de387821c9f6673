package io.probe4j.unwind;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Runs the call-frame instructions of a CIE and an FDE up to an address (DWARF 5, section 6.4.2), giving
 * the row of rules that holds there. Every {@code DW_CFA_*} operation of DWARF 5 and the GNU ones that
 * x86-64 toolchains emit are understood; anything else is a {@link CfiException} naming the opcode.
 */
final class CfaProgram {
    private final EhFrame section;
    private final Cie cie;
    private final long target;
    private final Deque<UnwindRow> remembered = new ArrayDeque<>();
    private UnwindRow row = new UnwindRow();
    private UnwindRow initial;
    private long location;

    private CfaProgram(EhFrame section, Cie cie, long start, long target) {
        this.section = section;
        this.cie = cie;
        this.location = start;
        this.target = target;
    }

    /** The row at link-time address {@code vaddr} of {@code fde}'s range. */
    static UnwindRow run(EhFrame section, Fde fde, long vaddr) {
        CfaProgram p = new CfaProgram(section, fde.cie(), fde.pcBegin(), vaddr);
        p.execute(section.instructions(fde.cie().instructionsStart(), fde.cie().instructionsEnd()), true);
        p.initial = p.row.copy();
        p.execute(section.instructions(fde.instructionsStart(), fde.instructionsEnd()), false);
        if (p.row.cfa() == null) {
            throw new CfiException(String.format("%s: the FDE at offset 0x%x defines no CFA", section.what(), fde.offset()));
        }
        return p.row;
    }

    private void execute(ByteCursor c, boolean inCie) {
        while (!c.atLimit()) {
            int at = c.position();
            int op = c.u8();
            int high = op & 0xc0;
            int low = op & 0x3f;
            if (high == 0x40) { // DW_CFA_advance_loc
                if (!advance(low * cie.codeAlignment())) {
                    return;
                }
                continue;
            }
            if (high == 0x80) { // DW_CFA_offset
                row.rule(low, new RegisterRule.Offset(c.uleb128() * cie.dataAlignment()));
                continue;
            }
            if (high == 0xc0) { // DW_CFA_restore
                restore(low, inCie, c, at);
                continue;
            }
            switch (op) {
                case 0x00 -> { // DW_CFA_nop
                }
                case 0x01 -> { // DW_CFA_set_loc
                    long to = PointerEncoding.read(c, cie.fdeEncoding(), PointerEncoding.Bases.NONE);
                    if (to > target) {
                        return;
                    }
                    location = to;
                }
                case 0x02 -> {
                    if (!advance(c.u8() * cie.codeAlignment())) {
                        return;
                    }
                }
                case 0x03 -> {
                    if (!advance(c.u16() * cie.codeAlignment())) {
                        return;
                    }
                }
                case 0x04 -> {
                    if (!advance(c.u32() * cie.codeAlignment())) {
                        return;
                    }
                }
                case 0x05 -> { // DW_CFA_offset_extended
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.Offset(c.uleb128() * cie.dataAlignment()));
                }
                case 0x06 -> restore(register(c), inCie, c, at); // DW_CFA_restore_extended
                case 0x07 -> row.rule(register(c), RegisterRule.UNDEFINED);
                case 0x08 -> row.rule(register(c), RegisterRule.SAME_VALUE);
                case 0x09 -> { // DW_CFA_register
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.InRegister(register(c)));
                }
                case 0x0a -> remembered.push(row.copy()); // DW_CFA_remember_state
                case 0x0b -> { // DW_CFA_restore_state: the CFA rule is part of the state too (as in libgcc)
                    if (remembered.isEmpty()) {
                        throw error(c, at, "DW_CFA_restore_state without a remembered state");
                    }
                    row = remembered.pop();
                }
                case 0x0c -> row.cfa(new CfaRule.RegisterOffset(register(c), c.uleb128())); // DW_CFA_def_cfa
                case 0x0d -> row.cfa(new CfaRule.RegisterOffset(register(c), cfaOffset(c, at))); // def_cfa_register
                case 0x0e -> row.cfa(new CfaRule.RegisterOffset(cfaRegister(c, at), c.uleb128())); // def_cfa_offset
                case 0x0f -> row.cfa(new CfaRule.Expression(block(c))); // DW_CFA_def_cfa_expression
                case 0x10 -> { // DW_CFA_expression
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.AtExpression(block(c)));
                }
                case 0x11 -> { // DW_CFA_offset_extended_sf
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.Offset(c.sleb128() * cie.dataAlignment()));
                }
                case 0x12 -> { // DW_CFA_def_cfa_sf
                    int reg = register(c);
                    row.cfa(new CfaRule.RegisterOffset(reg, c.sleb128() * cie.dataAlignment()));
                }
                case 0x13 -> row.cfa(new CfaRule.RegisterOffset(cfaRegister(c, at), c.sleb128() * cie.dataAlignment()));
                case 0x14 -> { // DW_CFA_val_offset
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.ValOffset(c.uleb128() * cie.dataAlignment()));
                }
                case 0x15 -> { // DW_CFA_val_offset_sf
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.ValOffset(c.sleb128() * cie.dataAlignment()));
                }
                case 0x16 -> { // DW_CFA_val_expression
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.IsExpression(block(c)));
                }
                case 0x2e -> c.uleb128(); // DW_CFA_GNU_args_size: for landing pads, not for unwinding
                case 0x2f -> { // DW_CFA_GNU_negative_offset_extended
                    int reg = register(c);
                    row.rule(reg, new RegisterRule.Offset(-c.uleb128() * cie.dataAlignment()));
                }
                default -> throw error(c, at, String.format("call-frame instruction 0x%02x is not supported", op));
            }
        }
    }

    /** Moves the location; false once it passes the target (the current row is the answer). */
    private boolean advance(long delta) {
        if (location + delta > target) {
            return false;
        }
        location += delta;
        return true;
    }

    private void restore(int reg, boolean inCie, ByteCursor c, int at) {
        if (inCie) {
            throw error(c, at, "DW_CFA_restore in a CIE's initial instructions");
        }
        row.restore(reg, initial);
    }

    private static int register(ByteCursor c) {
        long r = c.uleb128();
        return r > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) r;
    }

    private long cfaOffset(ByteCursor c, int at) {
        if (!(row.cfa() instanceof CfaRule.RegisterOffset ro)) {
            throw error(c, at, "DW_CFA_def_cfa_register while the CFA is not register-based");
        }
        return ro.offset();
    }

    private int cfaRegister(ByteCursor c, int at) {
        if (!(row.cfa() instanceof CfaRule.RegisterOffset ro)) {
            throw error(c, at, "DW_CFA_def_cfa_offset while the CFA is not register-based");
        }
        return ro.register();
    }

    private static byte[] block(ByteCursor c) {
        long length = c.uleb128();
        int start = c.position();
        c.skip(length);
        byte[] out = new byte[(int) length];
        ByteCursor b = c.slice(start, start + (int) length);
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) b.u8();
        }
        return out;
    }

    private CfiException error(ByteCursor c, int at, String what) {
        return new CfiException(String.format("%s: %s (at 0x%x, in the program for 0x%x)",
                section.what(), what, c.baseVaddr() + at, target));
    }
}
