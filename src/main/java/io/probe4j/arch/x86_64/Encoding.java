package io.probe4j.arch.x86_64;

/** How an instruction's opcode is introduced: plain legacy/REX bytes or one of the vector prefixes. */
public enum Encoding {
    /** Legacy prefixes, optional REX, then a one-byte or {@code 0F}-escaped opcode. */
    LEGACY,
    /** APX two-byte REX2 prefix {@code D5}. */
    REX2,
    /** Two-byte VEX prefix {@code C5}. */
    VEX2,
    /** Three-byte VEX prefix {@code C4}. */
    VEX3,
    /** Four-byte EVEX prefix {@code 62} (AVX-512, AVX10, APX). */
    EVEX,
    /** AMD XOP prefix {@code 8F} with a map of 8 or more. */
    XOP
}
