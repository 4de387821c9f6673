package io.probe4j.elf;

import java.util.OptionalLong;

/**
 * One USDT probe as its {@code .note.stapsdt} note describes it ({@code <sys/sdt.h>}, note type
 * {@code NT_STAPSDT}, owner {@code stapsdt}), with the link-time addresses turned into the file offsets
 * that {@code uprobe_events} takes.
 *
 * @param provider          the provider ({@code hotspot})
 * @param name              the probe's name ({@code gc__begin})
 * @param address           the link-time address of the probe's {@code nop}, as the note gives it
 * @param base              the link-time address of {@code .stapsdt.base} when the note was written
 * @param semaphore         the link-time address of the probe's semaphore, 0 for none
 * @param arguments         the argument specifications as written ({@code -4@%edi 8@-16(%rbp)}), maybe empty
 * @param offset            the file offset of the probe's instruction (prelink-adjusted, see {@link SdtNotes})
 * @param semaphoreOffset   the file offset of the semaphore (a 16-bit counter in the file's writable data),
 *                          empty when the probe has none
 */
public record SdtNote(String provider, String name, long address, long base, long semaphore, String arguments,
                      long offset, OptionalLong semaphoreOffset) {

    /** {@code PROVIDER:NAME}, as a definition names the probe after {@code PATH:}. */
    public String qualifiedName() {
        return provider + ":" + name;
    }
}
