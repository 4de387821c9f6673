package io.probe4j.unwind;

/**
 * A Frame Description Entry of {@code .eh_frame}: the unwinding rules for {@code [pcBegin, pcBegin +
 * pcRange)}, as link-time addresses of its file.
 *
 * @param offset            where it starts in {@code .eh_frame}
 * @param cie               its CIE
 * @param pcBegin           the first address it covers
 * @param pcRange           how many bytes it covers
 * @param instructionsStart its call-frame instructions, as positions in the section copy
 * @param instructionsEnd   (exclusive)
 */
record Fde(int offset, Cie cie, long pcBegin, long pcRange, int instructionsStart, int instructionsEnd) {
    boolean covers(long vaddr) {
        return vaddr >= pcBegin && vaddr - pcBegin < pcRange;
    }
}
