package io.probe4j.arch.x86_64;

/** The opcode table an instruction's opcode byte is looked up in. */
public enum OpcodeMap {
    /** The one-byte (primary) table. */
    ONE_BYTE,
    /** {@code 0F xx}; also VEX/EVEX map 1. */
    MAP_0F,
    /** {@code 0F 38 xx}; also VEX/EVEX map 2. */
    MAP_0F38,
    /** {@code 0F 3A xx}; also VEX/EVEX map 3. */
    MAP_0F3A,
    /** AMD 3DNow! {@code 0F 0F modrm ib}: the opcode is the trailing byte. */
    MAP_3DNOW,
    /** EVEX map 4 (APX promoted legacy instructions). */
    EVEX_MAP4,
    /** EVEX map 5 (AVX512-FP16). */
    EVEX_MAP5,
    /** EVEX map 6 (AVX512-FP16). */
    EVEX_MAP6,
    /** VEX/EVEX map 7. */
    MAP7,
    /** XOP map 8 (one immediate byte). */
    XOP8,
    /** XOP map 9. */
    XOP9,
    /** XOP map 10 (four-byte immediate). */
    XOPA
}
