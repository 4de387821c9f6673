package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import io.probe4j.unwind.Frame;
import io.probe4j.unwind.UserStack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ProbeContext#stack()}: the user stack at a hit, through the public API. */
@Tag("integration")
@Timeout(120)
class ProbeContextStackTest {
    static Path chain() {
        return Fixtures.compileAs("unwind_chain_nofp", "unwind_chain.c", "-O2", "-fomit-frame-pointer");
    }

    static Launch quiet(Path bin) {
        Path nothing = Path.of("/dev/null");
        return Launch.of(bin.toString()).withStdin(nothing).withStdout(nothing).withStderr(nothing);
    }

    @Test
    void aHandlerSeesItsCallersAsAddressSymbolOffsetAndObject() throws Exception {
        Path bin = chain();
        List<UserStack> stacks = new ArrayList<>();
        List<Long> ips = new ArrayList<>();
        try (Tracer t = Tracer.launch(quiet(bin))) {
            t.register(ProbeInfo.symbol(bin, "leaf").preHandler(c -> {
                stacks.add(c.stack());
                ips.add(c.address());
            }).build());
            assertEquals(0, t.run());
        }
        UserStack s = stacks.getFirst();
        assertTrue(s.complete(), s.stop()::toString);
        assertEquals(List.of("leaf", "level5", "level4", "level3", "level2", "level1", "main"),
                s.frames().subList(0, 7).stream().map(f -> f.symbol().orElseThrow()).toList());
        Frame leaf = s.frames().getFirst();
        assertEquals(ips.getFirst(), leaf.address());
        assertEquals("leaf (" + bin + ")", leaf.toString());
        Frame caller = s.frames().get(1);
        assertTrue(caller.offset() > 0);
        assertEquals("level5+0x" + Long.toHexString(caller.offset()) + " (" + bin + ")", caller.toString());
        assertEquals(s.frames().getLast().symbol().orElseThrow(), "_start");
    }

    @Test
    void pendingReturnProbesDoNotHideTheCallers() throws Exception {
        // level4 and level3 return through probe4j's trampoline; the walk shows where they really return.
        Path bin = chain();
        List<String> plain = frames(bin, false);
        List<String> hijacked = frames(bin, true);
        assertEquals(plain, hijacked);
        assertTrue(plain.size() >= 10, plain::toString);
    }

    private static List<String> frames(Path bin, boolean returnProbes) throws Exception {
        List<UserStack> stacks = new ArrayList<>();
        try (Tracer t = Tracer.launch(quiet(bin))) {
            if (returnProbes) {
                t.register(ProbeInfo.symbol(bin, "level3").returnHandler(c -> { }).build());
                t.register(ProbeInfo.symbol(bin, "level4").returnHandler(c -> { }).build());
            }
            t.register(ProbeInfo.symbol(bin, "leaf").preHandler(c -> stacks.add(c.stack())).build());
            assertEquals(0, t.run());
        }
        UserStack s = stacks.getFirst();
        assertTrue(s.complete(), s::toString);
        // Addresses differ between runs (ASLR): compare functions, offsets and objects.
        return s.frames().stream().map(Frame::toString).toList();
    }
}
