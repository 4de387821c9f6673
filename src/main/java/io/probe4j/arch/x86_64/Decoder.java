package io.probe4j.arch.x86_64;

import java.util.Arrays;

/**
 * Decodes one x86-64 (64-bit mode) user-space instruction: prefixes, REX/REX2/VEX/EVEX/XOP,
 * opcode map, ModRM, SIB, displacement and immediates. It finds the layout, not the mnemonic.
 *
 * <p>Where CPUs disagree, this follows GNU objdump's default (AMD64) reading, which the tests
 * use as the oracle: a {@code 66} prefix shrinks relative branch displacements to 16 bits, and a
 * REX byte followed by another prefix is a one-byte instruction of its own (the CPU ignores such
 * a REX, so splitting there executes the same).
 */
public final class Decoder {
    /** The architectural limit; longer byte runs raise #UD. */
    public static final int MAX_LENGTH = 15;

    /** The {@link OpcodeTables} codes that are followed by a ModRM byte. */
    private static final boolean[] HAS_MODRM = new boolean[128];

    static {
        for (char c : "mbzgDM3".toCharArray()) {
            HAS_MODRM[c] = true;
        }
    }

    private Decoder() {
    }

    /** Decodes the instruction at the start of {@code code}, which sits at {@code address}. */
    public static Instruction decode(byte[] code, long address) {
        return decode(code, 0, code.length, address);
    }

    /**
     * Decodes the instruction at {@code code[offset]}, using no byte at or after {@code end};
     * {@code address} is where {@code code[offset]} lives (for RIP-relative and branch targets).
     *
     * @throws UndecodableException for bytes that are no valid 64-bit instruction or run past end
     */
    public static Instruction decode(byte[] code, int offset, int end, long address) {
        return new Cursor(code, offset, Math.min(end, code.length), address).decode();
    }

    static boolean isLegacyPrefix(int b) {
        return switch (b) {
            case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3 -> true;
            default -> false;
        };
    }

    /** One decoding pass; a small object so the state needs no long parameter lists. */
    private static final class Cursor {
        private final byte[] code;
        private final int start;
        private final int end;
        private final long address;
        private int p;

        Cursor(byte[] code, int start, int end, long address) {
            this.code = code;
            this.start = start;
            this.end = end;
            this.address = address;
            this.p = start;
        }

        private int u(int at) {
            if (at >= end) {
                throw fail("the bytes end inside the instruction");
            }
            if (at - start >= MAX_LENGTH) {
                throw fail("longer than 15 bytes");
            }
            return code[at] & 0xff;
        }

        private UndecodableException fail(String why) {
            return new UndecodableException(address, why);
        }

        Instruction decode() {
            boolean opsize = false;
            boolean adsize = false;
            boolean repne = false;
            boolean vectorForbidden = false; // 66 F2 F3 F0 before VEX/EVEX/XOP raise #UD
            int b;
            while (isLegacyPrefix(b = u(p))) {
                opsize |= b == 0x66;
                adsize |= b == 0x67;
                repne |= b == 0xf2;
                vectorForbidden |= b == 0x66 || b == 0xf2 || b == 0xf3 || b == 0xf0;
                p++;
            }
            int prefixCount = p - start;
            int rexOffset = -1;
            boolean rexW = false;
            if ((b & 0xf0) == 0x40) {
                int next = u(p + 1);
                if (isLegacyPrefix(next) || (next & 0xf0) == 0x40) {
                    // objdump shows such an ignored REX as an instruction of its own
                    p++;
                    return build(prefixCount, -1, Encoding.LEGACY, -1, OpcodeMap.ONE_BYTE, b, p - 1,
                            -1, -1, 0, 0, 0, 0, 0, false);
                }
                rexOffset = p;
                rexW = (b & 8) != 0;
                p++;
                b = u(p);
            }

            Encoding enc = Encoding.LEGACY;
            OpcodeMap map = OpcodeMap.ONE_BYTE;
            byte[] table = OpcodeTables.ONE_BYTE;
            int vexOffset = -1;
            switch (b) {
                case 0x0f -> {
                    int b2 = u(p + 1);
                    p += 2;
                    if (b2 == 0x38) {
                        map = OpcodeMap.MAP_0F38;
                        table = OpcodeTables.ALL_MODRM;
                    } else if (b2 == 0x3a) {
                        map = OpcodeMap.MAP_0F3A;
                        table = OpcodeTables.ALL_MODRM_IMM8;
                    } else {
                        map = OpcodeMap.MAP_0F;
                        table = OpcodeTables.MAP_0F;
                        p--;
                    }
                }
                case 0xc5, 0xc4, 0x62 -> {
                    if (vectorForbidden || rexOffset >= 0) {
                        throw fail("a REX, 66, F2, F3 or LOCK prefix before a VEX/EVEX prefix");
                    }
                    vexOffset = p;
                    if (b == 0xc5) {
                        enc = Encoding.VEX2;
                        u(p + 1);
                        map = OpcodeMap.MAP_0F;
                        table = OpcodeTables.VEX_MAP1;
                        p += 2;
                    } else if (b == 0xc4) {
                        enc = Encoding.VEX3;
                        int mmmmm = u(p + 1) & 0x1f;
                        rexW = (u(p + 2) & 0x80) != 0;
                        switch (mmmmm) {
                            case 1 -> { map = OpcodeMap.MAP_0F; table = OpcodeTables.VEX_MAP1; }
                            case 2 -> { map = OpcodeMap.MAP_0F38; table = OpcodeTables.ALL_MODRM; }
                            case 3 -> { map = OpcodeMap.MAP_0F3A; table = OpcodeTables.ALL_MODRM_IMM8; }
                            case 7 -> { map = OpcodeMap.MAP7; table = OpcodeTables.MAP7; }
                            default -> throw fail("VEX opcode map " + mmmmm + " does not exist");
                        }
                        p += 3;
                    } else {
                        enc = Encoding.EVEX;
                        int mmm = u(p + 1) & 0x7;
                        int p1 = u(p + 2);
                        u(p + 3);
                        rexW = (p1 & 0x80) != 0;
                        switch (mmm) {
                            case 1 -> { map = OpcodeMap.MAP_0F; table = OpcodeTables.VEX_MAP1; }
                            case 2 -> { map = OpcodeMap.MAP_0F38; table = OpcodeTables.ALL_MODRM; }
                            case 3 -> { map = OpcodeMap.MAP_0F3A; table = OpcodeTables.ALL_MODRM_IMM8; }
                            case 4 -> {
                                map = OpcodeMap.EVEX_MAP4;
                                table = OpcodeTables.ONE_BYTE;
                                opsize = (p1 & 3) == 1;
                            }
                            case 5 -> { map = OpcodeMap.EVEX_MAP5; table = OpcodeTables.ALL_MODRM; }
                            case 6 -> { map = OpcodeMap.EVEX_MAP6; table = OpcodeTables.ALL_MODRM; }
                            case 7 -> { map = OpcodeMap.MAP7; table = OpcodeTables.MAP7; }
                            default -> throw fail("EVEX opcode map 0 does not exist");
                        }
                        p += 4;
                    }
                }
                case 0x8f -> {
                    int mmmmm = u(p + 1) & 0x1f;
                    if (mmmmm >= 8) { // otherwise it is pop r/m, whose ModRM.reg is 0
                        if (vectorForbidden || rexOffset >= 0) {
                            throw fail("a REX, 66, F2, F3 or LOCK prefix before an XOP prefix");
                        }
                        enc = Encoding.XOP;
                        vexOffset = p;
                        rexW = (u(p + 2) & 0x80) != 0;
                        switch (mmmmm) {
                            case 8 -> { map = OpcodeMap.XOP8; table = OpcodeTables.ALL_MODRM_IMM8; }
                            case 9 -> { map = OpcodeMap.XOP9; table = OpcodeTables.ALL_MODRM; }
                            case 10 -> { map = OpcodeMap.XOPA; table = OpcodeTables.ALL_MODRM_IMM32; }
                            default -> throw fail("XOP opcode map " + mmmmm + " does not exist");
                        }
                        p += 3;
                    }
                }
                case 0xd5 -> {
                    if (rexOffset >= 0) {
                        throw fail("a REX prefix before a REX2 prefix");
                    }
                    enc = Encoding.REX2;
                    vexOffset = p;
                    int payload = u(p + 1);
                    rexW = (payload & 0x08) != 0;
                    if ((payload & 0x80) != 0) {
                        map = OpcodeMap.MAP_0F;
                        table = OpcodeTables.MAP_0F;
                    }
                    p += 2;
                }
                default -> {
                }
            }

            int opcodeOffset = p;
            int opcode = u(p++);
            char attr = (char) table[opcode];
            if (map == OpcodeMap.MAP_0F && opcode == 0x0f && enc == Encoding.LEGACY) {
                map = OpcodeMap.MAP_3DNOW;
            }
            if (enc == Encoding.REX2 && (attr == 'e' || attr == 'p' || attr == 'r')) {
                throw fail("opcode 0x" + Integer.toHexString(opcode) + " cannot follow a REX2 prefix");
            }
            if (attr == 'x' || attr == 'p' || attr == 'r' || attr == 'e') {
                throw fail(String.format("opcode %s0x%02x is invalid in 64-bit mode",
                        map == OpcodeMap.MAP_0F ? "0x0f " : "", opcode));
            }

            int modrmOffset = -1;
            int sibOffset = -1;
            int dispSize = 0;
            boolean rip = false;
            if (HAS_MODRM[attr]) {
                modrmOffset = p;
                int modrm = u(p++);
                int mod = modrm >> 6;
                int rm = modrm & 7;
                if (map == OpcodeMap.MAP_0F && enc == Encoding.LEGACY && opcode >= 0x20 && opcode <= 0x23) {
                    mod = 3; // mov to/from control and debug registers ignores mod
                }
                if (mod != 3) {
                    if (rm == 4) {
                        sibOffset = p;
                        int sib = u(p++);
                        if ((sib & 7) == 5 && mod == 0) {
                            dispSize = 4;
                        }
                    } else if (rm == 5 && mod == 0) {
                        dispSize = 4;
                        rip = true;
                    }
                    if (mod == 1) {
                        dispSize = 1;
                    } else if (mod == 2) {
                        dispSize = 4;
                    }
                }
            }
            int dispOffset = dispSize > 0 ? p : -1;
            p += dispSize;

            boolean small = opsize && !rexW;
            int imm = 0;
            int imm2 = 0;
            switch (attr) {
                case 'B', 'b', 'j' -> imm = 1;
                case 'W' -> imm = 2;
                case 'Z', 'z', 'J' -> imm = small ? 2 : 4;
                case 'V' -> imm = rexW ? 8 : small ? 2 : 4;
                case 'O' -> imm = adsize ? 4 : 8;
                case 'E' -> { imm = 2; imm2 = 1; }
                case 'D' -> imm = 4;
                case 'g' -> {
                    if (((code[modrmOffset] >> 3) & 7) < 2) {
                        imm = opcode == 0xf6 ? 1 : small ? 2 : 4;
                    }
                }
                case 'M' -> {
                    if (opsize || repne) {
                        imm = 1;
                        imm2 = 1;
                    }
                }
                default -> {
                }
            }
            int immOffset = imm > 0 ? p : -1;
            p += imm + imm2;
            if (attr == '3') {
                opcodeOffset = p;
                opcode = u(p++);
            }
            if (p - start > MAX_LENGTH) {
                throw fail("longer than 15 bytes");
            }
            if (p > end) {
                throw fail("the bytes end inside the instruction");
            }
            return build(prefixCount, rexOffset, enc, vexOffset, map, opcode, opcodeOffset,
                    modrmOffset, sibOffset, dispOffset, dispSize, immOffset, imm, imm2, rip);
        }

        private Instruction build(int prefixCount, int rexOffset, Encoding enc, int vexOffset, OpcodeMap map,
                int opcode, int opcodeOffset, int modrmOffset, int sibOffset, int dispOffset, int dispSize,
                int immOffset, int immSize, int imm2Size, boolean rip) {
            return new Instruction(address, Arrays.copyOfRange(code, start, p), prefixCount,
                    rel(rexOffset), enc, rel(vexOffset), map, opcode, rel(opcodeOffset), rel(modrmOffset),
                    rel(sibOffset), rel(dispOffset), dispSize, rel(immOffset), immSize, imm2Size, rip);
        }

        private int rel(int at) {
            return at < 0 ? -1 : at - start;
        }
    }
}
