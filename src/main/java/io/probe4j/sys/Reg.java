package io.probe4j.sys;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The x86-64 registers of {@code struct user_regs_struct} (what {@code PTRACE_GETREGS} fills), in
 * its order, named as the kernel's {@code pt_regs} names them in fetch arguments ({@code %ax},
 * {@code %ip}, {@code %flags}, ...). The one table of register names and offsets in probe4j.
 */
public enum Reg {
    R15("r15"), R14("r14"), R13("r13"), R12("r12"), BP("bp"), BX("bx"), R11("r11"), R10("r10"),
    R9("r9"), R8("r8"), AX("ax"), CX("cx"), DX("dx"), SI("si"), DI("di"), ORIG_AX("orig_ax"),
    IP("ip"), CS("cs"), FLAGS("flags"), SP("sp"), SS("ss"),
    /** Not in {@code pt_regs}: the thread's segment bases and selectors, only in {@code user_regs_struct}. */
    FS_BASE("fs_base"), GS_BASE("gs_base"), DS("ds"), ES("es"), FS("fs"), GS("gs");

    /** Bytes in {@code struct user_regs_struct}. */
    public static final int USER_REGS_SIZE = 27 * 8;

    private static final Map<String, Reg> BY_NAME = new HashMap<>();

    static {
        for (Reg r : values()) {
            BY_NAME.put(r.ptRegsName, r);
        }
    }

    private final String ptRegsName;

    Reg(String ptRegsName) {
        this.ptRegsName = ptRegsName;
    }

    /** The kernel's name, as written after {@code %} in a fetch argument. */
    public String ptRegsName() {
        return ptRegsName;
    }

    /** Byte offset in {@code user_regs_struct}. */
    public int offset() {
        return ordinal() * 8;
    }

    /** Whether the kernel's {@code pt_regs} has this register (and so a fetch argument may name it). */
    public boolean inPtRegs() {
        return ordinal() <= SS.ordinal();
    }

    /** The register the kernel calls {@code name} ({@code "ax"}, not {@code "rax"}). */
    public static Optional<Reg> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
