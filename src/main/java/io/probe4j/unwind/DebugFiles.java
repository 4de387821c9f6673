package io.probe4j.unwind;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SectionHeader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Separate debug files, where distributions keep the full symbol table of a stripped library (Debian's
 * {@code libc6-dbg}): by build id under {@code /usr/lib/debug/.build-id/}, then by
 * {@code .gnu_debuglink}, in the places gdb looks ("Debugging Information in Separate Files").
 */
final class DebugFiles {
    static final Path DEBUG_ROOT = Path.of("/usr/lib/debug");

    private DebugFiles() {
    }

    /** A debug file for {@code elf} that exists, if any. */
    static Optional<Path> find(ElfFile elf) {
        List<Path> candidates = new ArrayList<>();
        elf.buildId().filter(id -> id.length() > 2).ifPresent(id ->
                candidates.add(DEBUG_ROOT.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug")));
        debugLink(elf).ifPresent(name -> {
            Path dir = elf.path().toAbsolutePath().getParent();
            candidates.add(dir.resolve(name));
            candidates.add(dir.resolve(".debug").resolve(name));
            candidates.add(Path.of(DEBUG_ROOT + dir.toString()).resolve(name));
        });
        return candidates.stream().filter(p -> !p.equals(elf.path()) && Files.isRegularFile(p)).findFirst();
    }

    /** The file name in {@code .gnu_debuglink} (a NUL-terminated name, then a CRC). */
    private static Optional<String> debugLink(ElfFile elf) {
        Optional<SectionHeader> s = elf.section(".gnu_debuglink").filter(SectionHeader::hasFileBytes);
        if (s.isEmpty() || s.get().size() < 2) {
            return Optional.empty();
        }
        byte[] b = elf.bytes(s.get().offset(), (int) Math.min(s.get().size(), 4096));
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return n == 0 ? Optional.empty() : Optional.of(new String(b, 0, n, StandardCharsets.UTF_8));
    }
}
