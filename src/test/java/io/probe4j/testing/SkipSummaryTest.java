package io.probe4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.probe4j.testing.SkipSummary.Machine;
import io.probe4j.testing.SkipSummary.Run;
import io.probe4j.testing.SkipSummary.Skipped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The skip summary of {@code ./run-tests}: the recorder on real JUnit runs of the fixture classes
 * below (every way a test is skipped), and the verdict for each kind of machine.
 */
class SkipSummaryTest {
    private static final Machine ROOT_WITH_TRACEFS = new Machine(true, true);

    /** Runs the fixture classes on a launcher of their own, recorded by a recorder that writes nowhere. */
    private static Run record(Class<?>... classes) {
        SkipRecorder recorder = new SkipRecorder(null);
        LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build();
        LauncherFactory.create(config).execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(Stream.of(classes).map(DiscoverySelectors::selectClass).toList()).build(), recorder);
        return recorder.run();
    }

    private static List<String> tests(Run run, Skip reason) {
        return run.skipped().stream().filter(s -> s.reason().equals(java.util.Optional.ofNullable(reason)))
                .map(Skipped::test).sorted().toList();
    }

    @Test
    void everyTestOfASkippedClassIsCountedWithItsReason() {
        Run run = record(DisabledClass.class, VmUnavailableInBeforeAll.class, Mixed.class);
        assertEquals(2 + 3 + 4, run.tests());
        String d = "SkipSummaryTest$DisabledClass.";
        String v = "SkipSummaryTest$VmUnavailableInBeforeAll.";
        assertEquals(List.of(d + "a", d + "b", v + "a", v + "b", v + "c"), tests(run, Skip.VM));
        assertEquals(List.of("SkipSummaryTest$Mixed.kernel"), tests(run, Skip.KERNEL));
        assertEquals(List.of("SkipSummaryTest$Mixed.unexplained"), tests(run, null));
        String summary = SkipSummary.summary(run);
        assertTrue(summary.startsWith("Skipped tests: 7 of 9\n"), summary);
        assertTrue(summary.contains("  vm               5\n      [vm] no kprobe VM: qemu-system-x86_64 not found\n        "
                + String.join(", ", d + "a", d + "b", v + "a", v + "b", v + "c") + "\n"), summary);
        assertTrue(summary.contains("  no reason key    1\n      needs tracefs\n        SkipSummaryTest$Mixed.unexplained\n"), summary);
    }

    @Test
    void aKernelSkipFailsTheRunOnlyWhereTheKernelCouldHaveBackedIt() {
        Run run = new Run(10, List.of(new Skipped("KernelOutputTest.types", Skip.NO_KERNEL),
                new Skipped("KprobeEngineVmTest.lines", "Assumption failed: [vm] no kprobe VM: no qemu")));
        List<String> problems = SkipSummary.problems(run, ROOT_WITH_TRACEFS);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().startsWith("1 kernel-backed test(s) skipped although this run is root"
                + " with tracefs at /sys/kernel/tracing: KernelOutputTest.types"), problems.getFirst());
        assertEquals(List.of(), SkipSummary.problems(run, new Machine(false, true)));
        assertEquals(List.of(), SkipSummary.problems(run, new Machine(true, false)));
    }

    @Test
    void aSkipWithoutAReasonKeyFailsTheRunAnywhere() {
        Run run = new Run(3, List.of(new Skipped("FooTest.bar", "Assumption failed: needs tracefs")));
        List<String> problems = SkipSummary.problems(run, new Machine(false, false));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("FooTest.bar (needs tracefs)"), problems.getFirst());
    }

    @Test
    void theVmAndOtherMachinesMaySkip() {
        Run run = new Run(5, List.of(new Skipped("KprobeDifferentialTest.x", "[vm] no kprobe VM: no qemu"),
                new Skipped("KprobesTest.y", "Assumption failed: [kernel-config] this kernel has kprobe events"),
                new Skipped("TargetResolverTest.z", "Assumption failed: [platform] libc has no IFUNC")));
        assertEquals(List.of(), SkipSummary.problems(run, ROOT_WITH_TRACEFS));
    }

    @Test
    void theRecordsOfEveryTestJvmAddUp(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.txt"), Run.lines(new Run(4, List.of(new Skipped("A.x", "[vm] no\tqemu\nsecond line")))));
        Files.write(dir.resolve("b.txt"), Run.lines(new Run(6, List.of(new Skipped("B.y", Skip.NO_KERNEL)))));
        Run run = SkipSummary.read(dir);
        assertEquals(10, run.tests());
        assertEquals(List.of(new Skipped("A.x", "[vm] no qemu"), new Skipped("B.y", Skip.NO_KERNEL)), run.skipped());
        assertEquals(new Run(0, List.of()), SkipSummary.read(dir.resolve("none")));
    }

    // The fixtures: tagged "fixture", which the build's own runs exclude.

    @Tag("fixture")
    @Disabled("[vm] no kprobe VM: qemu-system-x86_64 not found")
    static class DisabledClass {
        @Test
        void a() {
        }

        @Test
        void b() {
        }
    }

    @Tag("fixture")
    static class VmUnavailableInBeforeAll {
        @BeforeAll
        static void boot() {
            Skip.VM.abort("no kprobe VM: qemu-system-x86_64 not found");
        }

        @Test
        void a() {
        }

        @Test
        void b() {
        }

        @Test
        void c() {
        }
    }

    @Tag("fixture")
    static class Mixed {
        @Test
        void runs() {
        }

        @Test
        void kernel() {
            Skip.KERNEL.abort("needs root");
        }

        @Test
        void unexplained() {
            Assumptions.assumeTrue(false, "needs tracefs");
        }

        @Test
        void fails() {
            fail("a failure is not a skip");
        }
    }
}
