package io.probe4j.arch.x86_64;

/**
 * How an instruction changes the flow of control. Relative targets are absolute addresses,
 * computed from the instruction's own address.
 */
public sealed interface ControlFlow {

    /** The short name used in listings ({@code branch=<kind>}), or null for {@link Other}. */
    String kind();

    /** {@code jmp rel8/rel16/rel32}. */
    record Jump(int width, long target) implements ControlFlow {
        public String kind() {
            return "jmp";
        }
    }

    /** {@code jcc rel8/rel16/rel32}. */
    record ConditionalJump(Condition condition, int width, long target) implements ControlFlow {
        public String kind() {
            return "jcc";
        }
    }

    /** {@code call rel32} (or rel16 with a 66 prefix). */
    record Call(int width, long target) implements ControlFlow {
        public String kind() {
            return "call";
        }
    }

    /** {@code ret}, {@code ret imm16}; {@code far} for {@code lret}. */
    record Return(int popBytes, boolean far) implements ControlFlow {
        public String kind() {
            return far ? "lret" : "ret";
        }
    }

    /** {@code jmp *r/m} ({@code far} for {@code ljmp *m}). */
    record IndirectJump(boolean far) implements ControlFlow {
        public String kind() {
            return far ? "ljmp-indirect" : "jmp-indirect";
        }
    }

    /** {@code call *r/m} ({@code far} for {@code lcall *m}). */
    record IndirectCall(boolean far) implements ControlFlow {
        public String kind() {
            return far ? "lcall-indirect" : "call-indirect";
        }
    }

    /** {@code loop}, {@code loope}, {@code loopne}, {@code jrcxz} (counter {@code ecx} with a 67 prefix). */
    record Loop(LoopKind loop, boolean counter32, long target) implements ControlFlow {
        public String kind() {
            return loop == LoopKind.JRCXZ ? "jrcxz" : "loop";
        }
    }

    /** The loop family, by opcode {@code E0..E3}. */
    enum LoopKind { LOOPNE, LOOPE, LOOP, JRCXZ }

    /** {@code syscall}. */
    record Syscall() implements ControlFlow {
        public String kind() {
            return "syscall";
        }
    }

    /** {@code int3} (a breakpoint already in place). */
    record Int3() implements ControlFlow {
        public String kind() {
            return "int3";
        }
    }

    /** Everything that falls through to the next instruction (or traps, like {@code ud2}). */
    record Other() implements ControlFlow {
        public String kind() {
            return null;
        }
    }

    /** Classifies a decoded instruction. */
    static ControlFlow of(Instruction i) {
        int op = i.opcode();
        if (i.encoding() == Encoding.LEGACY || i.encoding() == Encoding.REX2) {
            if (i.map() == OpcodeMap.ONE_BYTE) {
                if (op >= 0x70 && op <= 0x7f) {
                    return new ConditionalJump(Condition.of(op), 1, relTarget(i));
                }
                switch (op) {
                    case 0xe0, 0xe1, 0xe2, 0xe3 -> {
                        return new Loop(LoopKind.values()[op - 0xe0], i.addressSize32(), relTarget(i));
                    }
                    case 0xe8 -> {
                        return new Call(i.immediateSize(), relTarget(i));
                    }
                    case 0xe9, 0xeb -> {
                        return new Jump(i.immediateSize(), relTarget(i));
                    }
                    case 0xc3 -> {
                        return new Return(0, false);
                    }
                    case 0xc2 -> {
                        return new Return((int) i.immediate() & 0xffff, false);
                    }
                    case 0xcb -> {
                        return new Return(0, true);
                    }
                    case 0xca -> {
                        return new Return((int) i.immediate() & 0xffff, true);
                    }
                    case 0xcc -> {
                        return new Int3();
                    }
                    case 0xff -> {
                        switch (i.reg()) {
                            case 2 -> {
                                return new IndirectCall(false);
                            }
                            case 3 -> {
                                return new IndirectCall(true);
                            }
                            case 4 -> {
                                return new IndirectJump(false);
                            }
                            case 5 -> {
                                return new IndirectJump(true);
                            }
                            default -> {
                            }
                        }
                    }
                    default -> {
                    }
                }
            } else if (i.map() == OpcodeMap.MAP_0F) {
                if (op >= 0x80 && op <= 0x8f) {
                    return new ConditionalJump(Condition.of(op), i.immediateSize(), relTarget(i));
                }
                if (op == 0x05) {
                    return new Syscall();
                }
            }
        }
        return new Other();
    }

    /** The target of a relative branch: next + displacement, wrapped to 16 bits for rel16 (AMD64). */
    private static long relTarget(Instruction i) {
        long t = i.next() + i.immediate();
        return i.immediateSize() == 2 ? t & 0xffff : t;
    }
}
