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

    /**
     * One decoding pass. The phases follow the instruction's layout — legacy prefixes, REX, the escape
     * or vector prefix that selects the opcode map, the opcode, ModRM/SIB/displacement, immediates —
     * and each records what it found in the fields, which {@link #build} turns into an {@link Instruction}.
     */
    private static final class Cursor {
        private final byte[] code;
        private final int start;
        private final int end;
        private final long address;
        private int p;

        // legacy prefixes
        private int prefixCount;
        private boolean opsize;
        private boolean adsize;
        private boolean repne;
        private boolean vectorForbidden; // 66 F2 F3 F0 before VEX/EVEX/XOP raise #UD
        // REX and the map-selecting prefix
        private int rexOffset = -1;
        private boolean rexW;
        private Encoding enc = Encoding.LEGACY;
        private int vexOffset = -1;
        private OpcodeMap map = OpcodeMap.ONE_BYTE;
        private byte[] table = OpcodeTables.ONE_BYTE;
        // opcode and operands
        private int opcode;
        private int opcodeOffset = -1;
        private int modrmOffset = -1;
        private int sibOffset = -1;
        private int dispOffset = -1;
        private int dispSize;
        private boolean rip;
        private int immOffset = -1;
        private int immSize;
        private int imm2Size;

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
            legacyPrefixes();
            if (ignoredRex()) {
                // objdump shows a REX followed by another prefix as an instruction of its own
                opcode = code[p] & 0xff;
                opcodeOffset = p++;
                return build();
            }
            rex();
            mapPrefix();
            char attr = opcode();
            modrm(attr);
            immediates(attr);
            if (attr == '3') { // 3DNow!: the opcode byte comes last
                opcodeOffset = p;
                opcode = u(p++);
            }
            if (p - start > MAX_LENGTH) {
                throw fail("longer than 15 bytes");
            }
            if (p > end) {
                throw fail("the bytes end inside the instruction");
            }
            return build();
        }

        private void legacyPrefixes() {
            int b;
            while (isLegacyPrefix(b = u(p))) {
                opsize |= b == 0x66;
                adsize |= b == 0x67;
                repne |= b == 0xf2;
                vectorForbidden |= b == 0x66 || b == 0xf2 || b == 0xf3 || b == 0xf0;
                p++;
            }
            prefixCount = p - start;
        }

        private boolean ignoredRex() {
            if ((u(p) & 0xf0) != 0x40) {
                return false;
            }
            int next = u(p + 1);
            return isLegacyPrefix(next) || (next & 0xf0) == 0x40;
        }

        private void rex() {
            int b = u(p);
            if ((b & 0xf0) == 0x40) {
                rexOffset = p++;
                rexW = (b & 8) != 0;
            }
        }

        /** The {@code 0F} escapes and the REX2/VEX/EVEX/XOP prefixes, which select the opcode map. */
        private void mapPrefix() {
            int b = u(p);
            switch (b) {
                case 0x0f -> twoByteEscape();
                case 0xc5 -> {
                    vectorPrefix(Encoding.VEX2);
                    u(p + 1);
                    select(OpcodeMap.MAP_0F, OpcodeTables.VEX_MAP1);
                    p += 2;
                }
                case 0xc4 -> {
                    vectorPrefix(Encoding.VEX3);
                    int mmmmm = u(p + 1) & 0x1f;
                    rexW = (u(p + 2) & 0x80) != 0;
                    switch (mmmmm) {
                        case 1 -> select(OpcodeMap.MAP_0F, OpcodeTables.VEX_MAP1);
                        case 2 -> select(OpcodeMap.MAP_0F38, OpcodeTables.ALL_MODRM);
                        case 3 -> select(OpcodeMap.MAP_0F3A, OpcodeTables.ALL_MODRM_IMM8);
                        case 7 -> select(OpcodeMap.MAP7, OpcodeTables.MAP7);
                        default -> throw fail("VEX opcode map " + mmmmm + " does not exist");
                    }
                    p += 3;
                }
                case 0x62 -> evex();
                case 0x8f -> xop();
                case 0xd5 -> rex2();
                default -> {
                }
            }
        }

        private void twoByteEscape() {
            int b2 = u(p + 1);
            switch (b2) {
                case 0x38 -> select(OpcodeMap.MAP_0F38, OpcodeTables.ALL_MODRM);
                case 0x3a -> select(OpcodeMap.MAP_0F3A, OpcodeTables.ALL_MODRM_IMM8);
                default -> select(OpcodeMap.MAP_0F, OpcodeTables.MAP_0F);
            }
            p += map == OpcodeMap.MAP_0F ? 1 : 2;
        }

        private void vectorPrefix(Encoding e) {
            if (vectorForbidden || rexOffset >= 0) {
                throw fail("a REX, 66, F2, F3 or LOCK prefix before a VEX/EVEX prefix");
            }
            enc = e;
            vexOffset = p;
        }

        private void evex() {
            vectorPrefix(Encoding.EVEX);
            int mmm = u(p + 1) & 0x7;
            int p1 = u(p + 2);
            u(p + 3);
            rexW = (p1 & 0x80) != 0;
            switch (mmm) {
                case 1 -> select(OpcodeMap.MAP_0F, OpcodeTables.VEX_MAP1);
                case 2 -> select(OpcodeMap.MAP_0F38, OpcodeTables.ALL_MODRM);
                case 3 -> select(OpcodeMap.MAP_0F3A, OpcodeTables.ALL_MODRM_IMM8);
                case 4 -> {
                    select(OpcodeMap.EVEX_MAP4, OpcodeTables.ONE_BYTE);
                    opsize = (p1 & 3) == 1;
                }
                case 5 -> select(OpcodeMap.EVEX_MAP5, OpcodeTables.ALL_MODRM);
                case 6 -> select(OpcodeMap.EVEX_MAP6, OpcodeTables.ALL_MODRM);
                case 7 -> select(OpcodeMap.MAP7, OpcodeTables.MAP7);
                default -> throw fail("EVEX opcode map 0 does not exist");
            }
            p += 4;
        }

        /** {@code 8F} with map 8-10 is an XOP prefix; otherwise it is {@code pop r/m}, whose ModRM.reg is 0. */
        private void xop() {
            int mmmmm = u(p + 1) & 0x1f;
            if (mmmmm < 8) {
                return;
            }
            if (vectorForbidden || rexOffset >= 0) {
                throw fail("a REX, 66, F2, F3 or LOCK prefix before an XOP prefix");
            }
            enc = Encoding.XOP;
            vexOffset = p;
            rexW = (u(p + 2) & 0x80) != 0;
            switch (mmmmm) {
                case 8 -> select(OpcodeMap.XOP8, OpcodeTables.ALL_MODRM_IMM8);
                case 9 -> select(OpcodeMap.XOP9, OpcodeTables.ALL_MODRM);
                case 10 -> select(OpcodeMap.XOPA, OpcodeTables.ALL_MODRM_IMM32);
                default -> throw fail("XOP opcode map " + mmmmm + " does not exist");
            }
            p += 3;
        }

        private void rex2() {
            if (rexOffset >= 0) {
                throw fail("a REX prefix before a REX2 prefix");
            }
            enc = Encoding.REX2;
            vexOffset = p;
            int payload = u(p + 1);
            rexW = (payload & 0x08) != 0;
            if ((payload & 0x80) != 0) {
                select(OpcodeMap.MAP_0F, OpcodeTables.MAP_0F);
            }
            p += 2;
        }

        private void select(OpcodeMap m, byte[] t) {
            map = m;
            table = t;
        }

        /** Reads the opcode byte; its attribute code in the {@link OpcodeTables}. */
        private char opcode() {
            opcodeOffset = p;
            opcode = u(p++);
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
            return attr;
        }

        private void modrm(char attr) {
            if (!HAS_MODRM[attr]) {
                return;
            }
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
            if (dispSize > 0) {
                dispOffset = p;
                p += dispSize;
            }
        }

        private void immediates(char attr) {
            boolean small = opsize && !rexW;
            switch (attr) {
                case 'B', 'b', 'j' -> immSize = 1;
                case 'W' -> immSize = 2;
                case 'Z', 'z', 'J' -> immSize = small ? 2 : 4;
                case 'V' -> immSize = rexW ? 8 : small ? 2 : 4;
                case 'O' -> immSize = adsize ? 4 : 8;
                case 'E' -> {
                    immSize = 2;
                    imm2Size = 1;
                }
                case 'D' -> immSize = 4;
                case 'g' -> {
                    if (((code[modrmOffset] >> 3) & 7) < 2) { // test r/m, imm: only /0 and /1 of F6/F7
                        immSize = opcode == 0xf6 ? 1 : small ? 2 : 4;
                    }
                }
                case 'M' -> {
                    if (opsize || repne) {
                        immSize = 1;
                        imm2Size = 1;
                    }
                }
                default -> {
                }
            }
            if (immSize > 0) {
                immOffset = p;
            }
            p += immSize + imm2Size;
        }

        private Instruction build() {
            return new Instruction(address, Arrays.copyOfRange(code, start, p), prefixCount,
                    rel(rexOffset), enc, rel(vexOffset), map, opcode, rel(opcodeOffset), rel(modrmOffset),
                    rel(sibOffset), rel(dispOffset), dispSize, rel(immOffset), immSize, imm2Size, rip);
        }

        private int rel(int at) {
            return at < 0 ? -1 : at - start;
        }
    }
}
