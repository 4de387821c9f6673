package io.probe4j.arch.x86_64;

import io.probe4j.error.UserException;
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
        refusal(elf, offset).ifPresent(why -> {
            throw new UserException(String.format("%s: %s at file offset 0x%x %s", file,
                    why.undecodable() ? "the bytes" : "the instruction", offset, why.undecodable()
                            ? "are not an instruction: " + why.reason() : "cannot be probed: " + why.reason()));
        });
        return vaddr;
    }

    /** Why the kernel would not probe the instruction at a file offset: its words, and whether the bytes do not decode. */
    public record Refusal(String reason, boolean undecodable) {
    }

    /** Why a probe at {@code offset} (inside a loaded segment) would be refused, if it would. */
    public static java.util.Optional<Refusal> refusal(ElfFile elf, long offset) {
        int len = (int) Math.min(Decoder.MAX_LENGTH, elf.size() - offset);
        try {
            if (Probeability.of(Decoder.decode(elf.bytes(offset, len), offset)) instanceof Probeability.Refused r) {
                return java.util.Optional.of(new Refusal(r.reason(), false));
            }
        } catch (UndecodableException e) {
            return java.util.Optional.of(new Refusal(e.reason(), true));
        }
        return java.util.Optional.empty();
    }
}
