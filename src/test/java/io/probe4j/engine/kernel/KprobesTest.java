package io.probe4j.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.spec.KernelSymbols;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.KprobeSupport;
import io.probe4j.spec.Parser;
import io.probe4j.testing.Skip;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kprobes on this machine's kernel, which has no kprobe events: the user is told which kernel option is
 * missing, with a non-zero exit status and nothing created in tracefs. (The real kprobe path is
 * {@link KprobeEngineVmTest}'s.)
 */
@Tag("kernel")
class KprobesTest {

    private static void assumeNoKprobeEvents() {
        Skip.unlessKernel();
        Skip.KERNEL_CONFIG.unless(!Files.exists(KernelFixtures.TRACEFS.resolve("kprobe_events")), "this kernel has kprobe events");
    }

    @Test
    void parsingKprobesOnAKernelWithoutThemNamesTheMissingOption() {
        assumeNoKprobeEvents();
        UserException e = assertThrows(UserException.class, () -> Kprobes.parse(List.of("p:kp_t/rd vfs_read $arg1")));
        assertEquals("probe4j: cannot trace kernel functions: " + KprobeSupport.check().orElseThrow(), e.getMessage());
        assertTrue(e.getMessage().contains("CONFIG_KPROBE_EVENTS is not set"), e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void startingASessionWithKprobesFailsBeforeCreatingAnything() throws Exception {
        assumeNoKprobeEvents();
        KprobeDefinition k = (KprobeDefinition) Parser.kprobe(KernelSymbols.UNKNOWN).parseLine("r:kp_t/rr vfs_read $retval").orElseThrow();
        String mine = "probe4j_" + ProcessHandle.current().pid();
        List<String> before = KernelFixtures.tracefsObjectsNamed(mine);
        CollectingSink sink = new CollectingSink();
        UserException e = assertThrows(UserException.class,
                () -> KernelTracer.start(List.of(KernelSessionTest.addProbe(KernelFixtures.args())), List.of(k), sink, System.err));
        assertTrue(e.getMessage().startsWith("probe4j: cannot trace kernel functions: this kernel has no kprobe events"), e.getMessage());
        assertEquals(before, KernelFixtures.tracefsObjectsNamed(mine), "no event, no instance: the uprobe was not defined either");
    }

    @Test
    void noKprobeDefinitionsNeedNoKprobeSupport() {
        assertEquals(List.of(), Kprobes.parse(List.of()));
    }
}
