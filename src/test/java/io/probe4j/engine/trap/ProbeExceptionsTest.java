package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * C++ exceptions that unwind through frames with pending return probes. The kernel's uretprobes break
 * this (the unwinder finds no unwind information at the trampoline and calls std::terminate, checked
 * on 6.18); the trap engine gives the real return addresses back while the unwinder runs.
 */
@Timeout(120)
@Tag("integration")
class ProbeExceptionsTest {
    static Path bin() {
        return Fixtures.compile("probe_exceptions.cc");
    }

    @Test
    @Kernel
    void entryProbesAgreeWithTheKernel() throws Exception {
        Path bin = bin();
        ProbeKernelTest.assertSameAsKernel(List.of(
                "p:px_thr " + off(bin, "_Z7throweri") + " n=%di:s32",
                "p:px_cal " + off(bin, "_Z6calleri") + " n=%di:s32"), List.of(bin.toString(), "2"), 2 + 3 + 4);
    }

    @Test
    void returnProbesOfUnwoundFramesAreDroppedAndTheProgramCatchesItsExceptions() throws Exception {
        Path bin = bin();
        BothEngines.Run untraced = BothEngines.run("trap", List.of("p:px_main " + off(bin, "main")), List.of(bin.toString(), "2"));
        BothEngines.Run trap = BothEngines.run("trap", List.of(
                "p:px_thr " + off(bin, "_Z7throweri") + " n=%di:s32",
                "r:px_thrr " + off(bin, "_Z7throweri") + " rv=$retval:s32",
                "r:px_calr " + off(bin, "_Z6calleri") + " rv=$retval:s32"), List.of(bin.toString(), "2"));
        assertEquals("caught bottom at 2\ncaught bottom at 3\n-2 -3\n", untraced.programOut());
        assertEquals(untraced.programOut(), trap.programOut());
        assertEquals(0, trap.status());
        List<String> shown = trap.events().stream().map(e -> e.replaceFirst("^[^|]*\\|T0\\|", "")
                .replaceFirst(": \\(.*\\)", ":")).toList();
        // every thrower frame is unwound: no return event for it; each caller returns its catch value
        assertEquals(List.of("px_thr: n=2", "px_thr: n=1", "px_thr: n=0", "px_calr: rv=-2",
                "px_thr: n=3", "px_thr: n=2", "px_thr: n=1", "px_thr: n=0", "px_calr: rv=-3"), shown, trap.err());
    }
}
