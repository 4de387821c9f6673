package io.probe4j.arch.x86_64;

/**
 * Whether the kernel's x86-64 uprobes would accept a probe on an instruction
 * ({@code arch_uprobe_analyze_insn} in {@code arch/x86/kernel/uprobes.c}, checked against the
 * live 6.18 kernel), with a reason a user can read when it would not.
 */
public sealed interface Probeability {

    /** The kernel accepts a probe here. */
    record Probeable() implements Probeability {
    }

    /** The kernel refuses (ENOTSUPP, or ENOEXEC for undecodable bytes); {@code reason} says why. */
    record Refused(String reason) implements Probeability {
    }

    /** Whether this is {@link Probeable}. */
    default boolean probeable() {
        return this instanceof Probeable;
    }

    /**
     * Opcodes the kernel's {@code good_insns_64} table refuses. The kernel looks up the first
     * opcode byte: the one-byte opcode, {@code 0F} for every escaped map (always allowed, so its
     * two-byte table is never consulted in 64-bit mode), and for VEX/EVEX the byte after the
     * prefix, so e.g. {@code vmovdqu} (VEX {@code 6F}) and {@code vpxor} (VEX {@code EF}) are refused.
     */
    private static String refusedOpcode(int op) {
        return switch (op) {
            case 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62, 0x82, 0x9a,
                    0xce, 0xd4, 0xd5, 0xd6, 0xea -> "is invalid in 64-bit mode";
            case 0x6c, 0x6d, 0x6e, 0x6f -> "is ins/outs (port I/O)";
            case 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef -> "is in/out (port I/O)";
            case 0xcc -> "is already a breakpoint (int3)";
            case 0xcd -> "is a software interrupt (int N)";
            case 0xcf -> "is iret";
            case 0xf1 -> "is int1";
            case 0xf4 -> "is hlt";
            case 0xfa, 0xfb -> "is cli/sti";
            default -> null;
        };
    }

    /** Applies the kernel's rules to a decoded instruction. */
    static Probeability of(Instruction insn) {
        for (int i = 0; i < insn.prefixCount(); i++) {
            int p = insn.bytes()[i] & 0xff;
            switch (p) {
                case 0xf0 -> {
                    return new Refused("it has a LOCK prefix (0xf0)");
                }
                case 0x26, 0x2e, 0x36, 0x3e -> {
                    return new Refused(String.format("it has a %s segment prefix (0x%02x)",
                            switch (p) {
                                case 0x26 -> "%es";
                                case 0x2e -> "%cs";
                                case 0x36 -> "%ss";
                                default -> "%ds";
                            }, p));
                }
                default -> {
                }
            }
        }
        if (insn.encoding() == Encoding.XOP) {
            return new Refused("it is XOP-encoded, which the kernel's instruction decoder does not know");
        }
        boolean escaped = insn.encoding() == Encoding.LEGACY || insn.encoding() == Encoding.REX2;
        if (escaped && insn.map() == OpcodeMap.ONE_BYTE && insn.opcode() == 0x8e && insn.reg() == 2) {
            return new Refused("it is a mov to %ss, which masks interrupts and single-step for one instruction");
        }
        int first = escaped && insn.map() != OpcodeMap.ONE_BYTE ? 0x0f : insn.opcode();
        String why = refusedOpcode(first);
        if (why != null) {
            boolean vector = !escaped;
            return new Refused(String.format("%s 0x%02x %s", vector ? "its opcode byte" : "opcode", first,
                    vector ? "is refused by the kernel's one-byte table, which it also applies to "
                            + insn.encoding() + " opcodes" : why));
        }
        if (insn.hasPrefix(0x66) && escaped) {
            ControlFlow cf = insn.controlFlow();
            if (cf instanceof ControlFlow.Jump || cf instanceof ControlFlow.ConditionalJump
                    || cf instanceof ControlFlow.Call) {
                return new Refused("it is a branch with a 0x66 (16-bit operand) prefix");
            }
        }
        return new Probeable();
    }

    /** Decodes and checks the instruction at {@code code[offset]}; undecodable bytes are refused. */
    static Probeability of(byte[] code, int offset, int end, long address) {
        try {
            return of(Decoder.decode(code, offset, end, address));
        } catch (UndecodableException e) {
            return new Refused(e.getMessage());
        }
    }
}
