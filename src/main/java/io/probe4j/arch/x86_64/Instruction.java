package io.probe4j.arch.x86_64;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One decoded instruction: its bytes and where each field sits inside them. Offsets are indexes
 * into {@link #bytes()}, {@code -1} when the field is absent.
 *
 * @param address where the instruction lives (targets are computed from it)
 * @param bytes the instruction's bytes; treat as read-only
 * @param prefixCount legacy prefixes occupy {@code bytes[0 .. prefixCount)}
 * @param rexOffset the REX byte
 * @param encoding legacy, REX2, VEX, EVEX or XOP
 * @param vexOffset the first byte of the REX2/VEX/EVEX/XOP prefix
 * @param map the opcode map
 * @param opcode the opcode byte within its map
 * @param opcodeOffset where the opcode byte is (for 3DNow! the last byte)
 * @param modrmOffset the ModRM byte
 * @param sibOffset the SIB byte
 * @param displacementOffset the displacement
 * @param displacementSize 0, 1 or 4
 * @param immediateOffset the first immediate (also a relative branch's displacement or a moffs)
 * @param immediateSize 0, 1, 2, 4 or 8
 * @param immediate2Size size of a second immediate right after the first ({@code enter}, {@code extrq})
 * @param ripRelative whether the memory operand is RIP-relative
 */
public record Instruction(long address, byte[] bytes, int prefixCount, int rexOffset, Encoding encoding,
        int vexOffset, OpcodeMap map, int opcode, int opcodeOffset, int modrmOffset, int sibOffset,
        int displacementOffset, int displacementSize, int immediateOffset, int immediateSize,
        int immediate2Size, boolean ripRelative) {

    /**
     * The same instruction at {@code newAddress}: what decoding its bytes there gives, without decoding
     * again (only the address and what is computed from it differ; an attach moves a thousand sites).
     */
    public Instruction at(long newAddress) {
        return new Instruction(newAddress, bytes, prefixCount, rexOffset, encoding, vexOffset, map, opcode, opcodeOffset,
                modrmOffset, sibOffset, displacementOffset, displacementSize, immediateOffset, immediateSize, immediate2Size,
                ripRelative);
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** The address of the next instruction. */
    public long next() {
        return address + bytes.length;
    }

    /** The legacy prefix bytes, in order. */
    public byte[] prefixes() {
        return Arrays.copyOf(bytes, prefixCount);
    }

    /** Whether the legacy prefix {@code b} (e.g. {@code 0x66}) is present. */
    public boolean hasPrefix(int b) {
        for (int i = 0; i < prefixCount; i++) {
            if ((bytes[i] & 0xff) == b) {
                return true;
            }
        }
        return false;
    }

    /** The REX byte, or 0 without one. */
    public int rex() {
        return rexOffset < 0 ? 0 : bytes[rexOffset] & 0xff;
    }

    /** Whether a ModRM byte is present. */
    public boolean hasModrm() {
        return modrmOffset >= 0;
    }

    /** ModRM.mod (0-3), or -1 without ModRM. */
    public int mod() {
        return modrmOffset < 0 ? -1 : (bytes[modrmOffset] >> 6) & 3;
    }

    /** ModRM.reg, the low three bits (the /digit of group opcodes), or -1 without ModRM. */
    public int reg() {
        return modrmOffset < 0 ? -1 : (bytes[modrmOffset] >> 3) & 7;
    }

    /** ModRM.rm, the low three bits, or -1 without ModRM. */
    public int rm() {
        return modrmOffset < 0 ? -1 : bytes[modrmOffset] & 7;
    }

    /** The SIB byte (scale, index, base in their raw bits), or -1 without one. */
    public int sib() {
        return sibOffset < 0 ? -1 : bytes[sibOffset] & 0xff;
    }

    /**
     * The r/m operand with REX extensions applied: a register, or a memory operand with base,
     * index, scale, displacement, segment and RIP-relative target (legacy and REX encodings).
     */
    public Operand operand() {
        return Operand.rm(this);
    }

    /** The sign-extended displacement, 0 without one. */
    public long displacement() {
        return signed(displacementOffset, displacementSize);
    }

    /** The first immediate, sign-extended (a moffs or 64-bit immediate is returned as is). */
    public long immediate() {
        return signed(immediateOffset, immediateSize);
    }

    /** Whether the address size is 32 bits (a {@code 67} prefix). */
    public boolean addressSize32() {
        return hasPrefix(0x67);
    }

    /**
     * The absolute address of the RIP-relative memory operand.
     *
     * @throws IllegalStateException if the instruction has none
     */
    public long ripTarget() {
        if (!ripRelative) {
            throw new IllegalStateException("not RIP-relative: " + this);
        }
        long t = next() + displacement();
        return addressSize32() ? t & 0xffffffffL : t;
    }

    /** How this instruction changes the flow of control. */
    public ControlFlow controlFlow() {
        return ControlFlow.of(this);
    }

    /** The bytes as lowercase hex without separators. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    private long signed(int off, int size) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return switch (size) {
            case 1 -> b.get(off);
            case 2 -> b.getShort(off);
            case 4 -> b.getInt(off);
            case 8 -> b.getLong(off);
            default -> 0;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instruction i && i.address == address && Arrays.equals(i.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(address) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return String.format("0x%x: %s", address, hex());
    }
}
