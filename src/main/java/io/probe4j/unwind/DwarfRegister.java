package io.probe4j.unwind;

import io.probe4j.sys.Reg;

/**
 * The x86-64 DWARF register columns that unwinding tracks (System V psABI, "DWARF Register Number
 * Mapping"): the sixteen general registers and column 16, the return address. Note the order: 1 is
 * rdx and 2 is rcx, not the other way round.
 */
public enum DwarfRegister {
    RAX(Reg.AX), RDX(Reg.DX), RCX(Reg.CX), RBX(Reg.BX), RSI(Reg.SI), RDI(Reg.DI), RBP(Reg.BP), RSP(Reg.SP),
    R8(Reg.R8), R9(Reg.R9), R10(Reg.R10), R11(Reg.R11), R12(Reg.R12), R13(Reg.R13), R14(Reg.R14), R15(Reg.R15),
    /** The return address column; at the innermost frame it holds rip. */
    RA(Reg.IP);

    /** Columns 0..16. */
    public static final int COUNT = 17;
    static final int RBP_COLUMN = 6;
    static final int RSP_COLUMN = 7;
    static final int RA_COLUMN = 16;

    private final Reg reg;

    DwarfRegister(Reg reg) {
        this.reg = reg;
    }

    /** The register as {@code user_regs_struct} and the kernel's {@code pt_regs} name it. */
    Reg reg() {
        return reg;
    }

    /** The DWARF register number. */
    public int column() {
        return ordinal();
    }

    static String name(int column) {
        return column >= 0 && column < COUNT ? "%" + values()[column].reg.ptRegsName() : "DWARF register " + column;
    }
}
