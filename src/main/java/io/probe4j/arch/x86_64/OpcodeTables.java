package io.probe4j.arch.x86_64;

/**
 * What follows each opcode byte, per opcode map: whether a ModRM byte comes next and which
 * immediate. Only the facts that decide an instruction's length and layout are kept here; the
 * meaning of an opcode is somebody else's business.
 *
 * <p>One character per opcode, sixteen per row:
 * <pre>
 * .  nothing follows                  m  ModRM
 * B  imm8                             b  ModRM, imm8
 * W  imm16                            z  ModRM, imm16/32 (operand size)
 * Z  imm16/32 (operand size)          g  ModRM, then an immediate only for /0 and /1 (F6, F7)
 * V  imm16/32/64 (mov r, imm)         D  ModRM, imm32
 * O  moffs (address size: 8 or 4)     M  ModRM, and with 66 or F2 two imm8 (extrq, insertq)
 * E  imm16, imm8 (enter)              3  ModRM, imm8 that is the opcode (3DNow!)
 * j  rel8                             J  rel16/32 (operand size)
 * p  legacy prefix   r  REX   e  escape or vector prefix   x  invalid in 64-bit mode
 * </pre>
 */
final class OpcodeTables {
    private OpcodeTables() {
    }

    static final byte[] ONE_BYTE = table(
            "mmmmBZxxmmmmBZxe", // 00
            "mmmmBZxxmmmmBZxx", // 10
            "mmmmBZpxmmmmBZpx", // 20
            "mmmmBZpxmmmmBZpx", // 30
            "rrrrrrrrrrrrrrrr", // 40
            "................", // 50
            "xxemppppZzBb....", // 60
            "jjjjjjjjjjjjjjjj", // 70
            "bzxbmmmmmmmmmmmm", // 80
            "..........x.....", // 90
            "OOOO....BZ......", // a0
            "BBBBBBBBVVVVVVVV", // b0
            "bbW.eebzE.W..Bx.", // c0
            "mmmmxex.mmmmmmmm", // d0
            "jjjjBBBBJJxj....", // e0
            "p.pp..gg......mm"); // f0

    static final byte[] MAP_0F = table(
            "mmmmx.....x.xm.3", // 00
            "mmmmmmmmmmmmmmmm", // 10
            "mmmmxxxxmmmmmmmm", // 20
            "......x.exexxxxx", // 30
            "mmmmmmmmmmmmmmmm", // 40
            "mmmmmmmmmmmmmmmm", // 50
            "mmmmmmmmmmmmmmmm", // 60
            "bbbbmmm.Mmxxmmmm", // 70
            "JJJJJJJJJJJJJJJJ", // 80
            "mmmmmmmmmmmmmmmm", // 90
            "...mbmmm...mbmmm", // a0 (a6, a7: VIA PadLock, ModRM-shaped)
            "mmmmmmmmmmbmmmmm", // b0
            "mmbmbbbm........", // c0
            "mmmmmmmmmmmmmmmm", // d0
            "mmmmmmmmmmmmmmmm", // e0
            "mmmmmmmmmmmmmmmm"); // f0

    /** VEX and EVEX map 1: every opcode has ModRM except {@code vzeroupper/vzeroall}. */
    static final byte[] VEX_MAP1 = vexMap1();

    static final byte[] ALL_MODRM = uniform('m');
    static final byte[] ALL_MODRM_IMM8 = uniform('b');
    static final byte[] ALL_MODRM_IMM32 = uniform('D');
    /** VEX/EVEX map 7: only the {@code F8} group (user MSR access, imm32) is defined. */
    static final byte[] MAP7 = map7();

    private static byte[] table(String... rows) {
        if (rows.length != 16) {
            throw new AssertionError("an opcode table has 16 rows");
        }
        byte[] t = new byte[256];
        for (int r = 0; r < 16; r++) {
            if (rows[r].length() != 16) {
                throw new AssertionError("row " + r + " has " + rows[r].length() + " entries");
            }
            for (int c = 0; c < 16; c++) {
                t[r * 16 + c] = (byte) rows[r].charAt(c);
            }
        }
        return t;
    }

    private static byte[] uniform(char c) {
        byte[] t = new byte[256];
        java.util.Arrays.fill(t, (byte) c);
        return t;
    }

    private static byte[] vexMap1() {
        byte[] t = uniform('m');
        t[0x77] = '.';
        for (int op : new int[] {0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6}) {
            t[op] = 'b';
        }
        return t;
    }

    private static byte[] map7() {
        byte[] t = uniform('x');
        t[0xf8] = 'D';
        return t;
    }
}
