package io.probe4j.arch.x86_64;

/** The sixteen 64-bit general-purpose registers in encoding order, with their {@code pt_regs} names. */
public enum Gpr {
    RAX("ax"), RCX("cx"), RDX("dx"), RBX("bx"), RSP("sp"), RBP("bp"), RSI("si"), RDI("di"),
    R8("r8"), R9("r9"), R10("r10"), R11("r11"), R12("r12"), R13("r13"), R14("r14"), R15("r15");

    private static final Gpr[] BY_NUMBER = values();
    private final String ptRegsName;

    Gpr(String ptRegsName) {
        this.ptRegsName = ptRegsName;
    }

    /** The register with encoding {@code n} (0-15, REX bit included). */
    public static Gpr of(int n) {
        return BY_NUMBER[n];
    }

    /** The encoding number 0-15. */
    public int number() {
        return ordinal();
    }

    /** The kernel's {@code struct pt_regs} field name, as used by {@code %REG} fetch arguments. */
    public String ptRegsName() {
        return ptRegsName;
    }
}
