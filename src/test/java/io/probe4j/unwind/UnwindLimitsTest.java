package io.probe4j.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.ProbeInfo;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ProgramHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where walks end short of the outermost frame, and that they say why. */
@Tag("integration")
@Timeout(120)
class UnwindLimitsTest {
    @Test
    void aDeepRecursionIsCutAt127FramesAndSaysSo() throws Exception {
        Path bin = UnwindAgainstGdbTest.chainNoFp();
        UserStack s = StackCapture.at(ProbeInfo.symbol(bin, "leaf"), new Unwinder(), bin.toString(), "2", "200").getFirst();
        assertEquals(Unwinder.DEFAULT_MAX_DEPTH, s.frames().size());
        assertEquals(UserStack.Reason.DEPTH_LIMIT, s.stop().reason());
        assertTrue(s.frames().subList(1, 127).stream().allMatch(f -> f.symbol().orElseThrow().equals("deep")), s::toString);
    }

    @Test
    void aLargerLimitReachesTheOutermostFrameOfTheSameStack() throws Exception {
        Path bin = UnwindAgainstGdbTest.chainNoFp();
        UserStack s = StackCapture.at(ProbeInfo.symbol(bin, "leaf"), new Unwinder(1000), bin.toString(), "2", "200").getFirst();
        assertTrue(s.complete(), s.stop()::toString);
        // leaf, 201 frames of deep (n = 200 .. 1, then n = 0 tail-jumps to leaf), main, libc's two, _start
        assertEquals(1 + 200 + 1 + 2 + 1, s.frames().size(), s::toString);
    }

    @Test
    void corruptCallFrameInformationEndsTheWalkNamingTheFileAndTheFault() throws Exception {
        Path good = UnwindAgainstGdbTest.chainNoFp();
        Path bad = good.resolveSibling("unwind_chain_badcfi");
        Files.copy(good, bad, StandardCopyOption.REPLACE_EXISTING);
        ProgramHeader hdr = ElfFile.open(good).programHeaders().stream()
                .filter(p -> p.type() == ProgramHeader.PT_GNU_EH_FRAME).findFirst().orElseThrow();
        // eh_frame_ptr, pcrel sdata4 (this PIE maps its first segment at file offset = address)
        int ehFrame = (int) (hdr.offset() + 4 + readInt(good, hdr.offset() + 4));
        // Every CIE's version byte (after its length and id) becomes 9: no DWARF CFI version.
        byte[] b = Files.readAllBytes(bad);
        for (int at = ehFrame; readInt(b, at) != 0; at += 4 + (int) readInt(b, at)) {
            if (readInt(b, at + 4) == 0) {
                assertEquals(1, b[at + 8]);
                b[at + 8] = 9;
            }
        }
        Files.write(bad, b);
        List<UserStack> stacks = StackCapture.at(ProbeInfo.symbol(bad, "leaf"), new Unwinder(), bad.toString());
        UserStack s = stacks.getFirst();
        assertEquals(UserStack.Reason.BAD_CFI, s.stop().reason(), s::toString);
        assertTrue(s.stop().detail().matches(java.util.regex.Pattern.quote(bad + " .eh_frame: CIE at offset ")
                + "0x[0-9a-f]+ has version 9 \\(1 or 3 expected\\)"), s.stop()::toString);
        assertEquals(List.of("leaf"), s.frames().stream().map(f -> f.symbol().orElseThrow()).toList());
    }

    private static long readInt(Path file, long offset) throws Exception {
        return readInt(Files.readAllBytes(file), (int) offset);
    }

    private static long readInt(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (long) b[o + 3] << 24;
    }
}
