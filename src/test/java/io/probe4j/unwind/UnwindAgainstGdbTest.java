package io.probe4j.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.ProbeInfo;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stacks unwound at probe hits (trap engine, thread stopped in the handler) against gdb's backtrace at
 * a breakpoint on the same instruction, frame by frame: the object, the pc's offset in it, and the
 * function and offset (C++ names as we demangle them against gdb's, which are c++filt's).
 */
@Tag("integration")
@Timeout(180)
class UnwindAgainstGdbTest {
    private final Unwinder unwinder = new Unwinder();

    static Path chainFp() {
        return Fixtures.compileAs("unwind_chain_fp", "unwind_chain.c", "-O0", "-fno-omit-frame-pointer");
    }

    static Path chainNoFp() {
        return Fixtures.compileAs("unwind_chain_nofp", "unwind_chain.c", "-O2", "-fomit-frame-pointer");
    }

    @Test
    void aChainWithFramePointersIsGdbsBacktrace() throws Exception {
        Path bin = chainFp();
        UserStack s = first(ProbeInfo.symbol(bin, "leaf"), bin);
        assertSameAsGdb(s, List.of("break *leaf", "run"), bin);
        assertEquals(List.of("leaf", "level5", "level4", "level3", "level2", "level1", "main"), names(s).subList(0, 7));
    }

    @Test
    void aChainWithoutFramePointersIsGdbsBacktraceThroughCfiAlone() throws Exception {
        Path bin = chainNoFp();
        UserStack s = first(ProbeInfo.symbol(bin, "leaf"), bin);
        assertSameAsGdb(s, List.of("break *leaf", "run"), bin);
        assertEquals(List.of("leaf", "level5", "level4", "level3", "level2", "level1", "main"), names(s).subList(0, 7));
        assertTrue(s.frames().stream().skip(1).allMatch(f -> f.source() == Frame.Source.CFI), s::toString);
    }

    @Test
    void aProbeInsideAFunctionUsesTheRowAtItsAddress() throws Exception {
        // The instruction after level5's call of leaf: callee-saved registers pushed, the stack grown.
        Path bin = chainNoFp();
        Frame ret = first(ProbeInfo.symbol(bin, "leaf"), bin).frames().get(1);
        UserStack s = first(ProbeInfo.address(bin, ret.fileOffset()), bin);
        assertEquals("level5", s.frames().getFirst().symbol().orElseThrow());
        assertSameAsGdb(s, List.of("break *level5+" + ret.offset(), "run"), bin);
    }

    @Test
    void framePointersCarryTheWalkWhereThereIsNoCfi() throws Exception {
        Path bin = Fixtures.compileAs("unwind_chain_nocfi", "unwind_chain.c", "-O0", "-fno-omit-frame-pointer",
                "-fno-asynchronous-unwind-tables", "-fno-unwind-tables");
        UserStack s = first(ProbeInfo.symbol(bin, "leaf"), bin);
        assertSameAsGdb(s, List.of("break *leaf", "run"), bin);
        assertEquals(Frame.Source.ENTRY, s.frames().get(1).source());
        assertTrue(s.frames().subList(2, 7).stream().allMatch(f -> f.source() == Frame.Source.FRAME_POINTER), s::toString);
    }

    @Test
    void aQsortComparatorsCallersAreLibcsMergeSort() throws Exception {
        Path bin = Fixtures.compile("unwind_libc.c");
        UserStack s = first(ProbeInfo.symbol(bin, "by_value"), bin);
        assertSameAsGdb(s, List.of("break *by_value", "run"), bin);
        assertTrue(s.frames().get(1).object().endsWith("libc.so.6"), s::toString);
    }

    @Test
    void anAtexitHandlersCallersEndAtANoreturnCall() throws Exception {
        Path bin = Fixtures.compile("unwind_libc.c");
        UserStack s = first(ProbeInfo.symbol(bin, "at_exit"), bin);
        assertSameAsGdb(s, List.of("break *at_exit", "run"), bin);
    }

    @Test
    void aHandlerOfARaisedSignalUnwindsThroughTheSignalFrame() throws Exception {
        Path bin = Fixtures.compile("unwind_signal.c");
        UserStack s = StackCapture.at(ProbeInfo.symbol(bin, "in_handler"), unwinder, bin.toString()).getFirst();
        assertSameAsGdb(s, List.of("break *in_handler", "run"), bin);
        assertEquals("__restore_rt", s.frames().get(2).symbol().orElseThrow());
    }

    @Test
    void aHandlerOfAFaultUnwindsToTheFaultingInstruction() throws Exception {
        Path bin = Fixtures.compile("unwind_signal.c");
        UserStack s = StackCapture.at(ProbeInfo.symbol(bin, "in_handler"), unwinder, bin.toString()).get(1);
        assertSameAsGdb(s, List.of("break *in_handler", "run", "continue"), bin);
        assertEquals("faulter", s.frames().get(3).symbol().orElseThrow());
    }

    @Test
    void aStreamBuffersCallerIsLibstdcxxsInserter() throws Exception {
        Path bin = Fixtures.compile("unwind_cxx.cc");
        UserStack s = first(ProbeInfo.symbol(bin, "_ZN7probe4j7Counter6xsputnEPKcl"), bin);
        assertSameAsGdb(s, List.of("break *_ZN7probe4j7Counter6xsputnEPKcl", "run"), bin);
        assertTrue(s.frames().get(1).object().contains("libstdc++"), s::toString);
    }

    @Test
    void aSortComparatorsCallersAreTemplateInstances() throws Exception {
        Path bin = Fixtures.compile("unwind_cxx.cc");
        UserStack s = first(ProbeInfo.symbol(bin, "_ZN7probe4j9less_thanEii"), bin);
        assertSameAsGdb(s, List.of("break *_ZN7probe4j9less_thanEii", "run"), bin);
    }

    @Test
    void codeWithoutAFileIsAnUnknownFrameAndTheWalkGoesOn() throws Exception {
        // gdb loses its way in the JIT frame (it shows a bogus frame after it), so the frames around it are
        // compared with gdb's, and the anonymous one is checked for what it is.
        Path bin = Fixtures.compile("unwind_jit.c");
        UserStack s = first(ProbeInfo.symbol(bin, "leaf"), bin);
        Frame jit = s.frames().get(1);
        assertEquals("[unknown] ([anon])", jit.toString());
        assertEquals(List.of("leaf", "?", "through_jit", "main"), names(s).subList(0, 4));
        assertEquals(Frame.Source.FRAME_POINTER, s.frames().get(2).source());
        assertTrue(s.complete(), s::toString);
        List<String> gdb = gdbLines(GdbBacktrace.at(List.of("break *leaf", "run"), bin.toString()));
        List<String> ours = ourLines(s);
        assertEquals(gdb.stream().filter(l -> !l.contains("?")).toList(), ours.stream().filter(l -> !l.contains("?")).toList());
    }

    private UserStack first(ProbeInfo.Builder probe, Path bin) throws InterruptedException {
        List<UserStack> stacks = StackCapture.at(probe, unwinder, bin.toString());
        assertTrue(!stacks.isEmpty(), "the probe was not hit");
        return stacks.getFirst();
    }

    private static List<String> names(UserStack s) {
        return s.frames().stream().map(f -> f.symbol().orElse("?")).toList();
    }

    private static void assertSameAsGdb(UserStack s, List<String> gdbCommands, Path bin) throws Exception {
        assertTrue(s.complete(), "the walk did not reach the outermost frame: " + s.stop());
        assertEquals(gdbLines(GdbBacktrace.at(gdbCommands, bin.toString())), ourLines(s), "stack " + s);
    }

    private static List<String> gdbLines(List<GdbBacktrace.GdbFrame> frames) {
        return frames.stream().map(f -> line(f.object(), f.fileOffset(), f.symbol().orElse("?"), f.offset())).toList();
    }

    /** Our frames as gdb's lines: names as we show them (demangled), gcc's clone suffixes as gdb cuts them. */
    private static List<String> ourLines(UserStack s) {
        List<String> out = new ArrayList<>();
        for (Frame f : s.frames()) {
            String name = f.function().orElse("?").replaceFirst("\\.(part|constprop|isra|cold)\\.\\d+$", ".$1");
            out.add(line(f.object(), f.fileOffset(), name, f.offset()));
        }
        return out;
    }

    private static String line(String object, long fileOffset, String symbol, long offset) {
        return String.format("%s+0x%x %s+0x%x", object, fileOffset, symbol, offset);
    }
}
