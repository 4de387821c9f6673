package io.probe4j.unwind;

/**
 * A Common Information Entry of {@code .eh_frame}: what the FDEs that point to it share.
 *
 * @param offset             where it starts in {@code .eh_frame}
 * @param augmentation       the augmentation string ({@code "zR"}, {@code "zPLR"}, {@code "zRS"}, ...)
 * @param codeAlignment      the factor of {@code advance_loc} deltas
 * @param dataAlignment      the factor of {@code offset} operands (-8 on x86-64)
 * @param returnAddressRegister the DWARF column of the return address (16 on x86-64)
 * @param fdeEncoding        how its FDEs encode their addresses ({@code R}); absolute when absent
 * @param lsdaEncoding       how its FDEs encode their LSDA pointer ({@code L}), or {@link PointerEncoding#OMIT}
 * @param signalFrame        {@code S}: its frames are signal trampolines, whose caller was interrupted
 *                           rather than called (its pc is not a return address)
 * @param instructionsStart  the initial instructions, as positions in the section copy
 * @param instructionsEnd    (exclusive)
 */
record Cie(int offset, String augmentation, long codeAlignment, long dataAlignment, int returnAddressRegister,
           int fdeEncoding, int lsdaEncoding, boolean signalFrame, int instructionsStart, int instructionsEnd) {
}
