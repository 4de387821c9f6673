package io.probe4j.arch.x86_64;

import io.probe4j.UserException;
import io.probe4j.elf.ElfFile;
import java.nio.file.Path;

/**
 * The check every engine makes before it puts a probe on a file offset: the bytes there must decode
 * to an instruction the kernel would probe. One place, so the trap engine and the kernel engine refuse
 * the same things with the same words (the kernel itself only says ENOTSUPP when the event is enabled).
 */
public final class ProbeSite {
    private ProbeSite() {
    }

    /**
     * Refuses, with a {@link UserException} naming the reason, an offset outside the loaded segments,
     * bytes that are not an instruction, or an instruction the kernel will not probe.
     *
     * @return the run-time-independent virtual address of the instruction (link-time address)
     */
    public static long check(ElfFile elf, Path file, long offset) {
        long vaddr = elf.vaddrOf(offset).orElseThrow(() -> new UserException(
                String.format("%s: file offset 0x%x is not in a loaded segment", file, offset)));
        int len = (int) Math.min(Decoder.MAX_LENGTH, elf.size() - offset);
        try {
            if (Probeability.of(Decoder.decode(elf.bytes(offset, len), vaddr)) instanceof Probeability.Refused r) {
                throw new UserException(String.format("%s: the instruction at file offset 0x%x cannot be probed: %s", file, offset,
                        r.reason()));
            }
        } catch (UndecodableException e) {
            throw new UserException(String.format("%s: the bytes at file offset 0x%x are not an instruction: %s", file, offset,
                    e.reason()));
        }
        return vaddr;
    }
}
