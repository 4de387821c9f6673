package io.probe4j.spec;

import java.util.List;

/**
 * The register names {@code %REG} accepts on x86-64: the fields of the kernel's {@code struct pt_regs}
 * ({@code regoffset_table} in {@code arch/x86/kernel/ptrace.c}), matched case-sensitively.
 */
public final class PtRegs {
    private PtRegs() {
    }

    /** In {@code struct pt_regs} order. */
    public static final List<String> NAMES = List.of("r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10",
            "r9", "r8", "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss");

    public static boolean isRegister(String name) {
        return NAMES.contains(name);
    }
}
