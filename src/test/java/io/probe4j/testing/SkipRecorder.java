package io.probe4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Records every test of a run and every skipped one with its reason, one file per test JVM, for
 * {@link SkipSummary}. Surefire's XML reports cannot serve: a class whose {@code @BeforeAll} fails
 * an assumption (the kprobe VM could not be had) is reported there as a class of zero tests, so
 * its skipped tests would not be counted at all. Here a skipped or aborted container counts every
 * test under it that did not run.
 *
 * <p>Registered through {@code META-INF/services}; writes only when the system property
 * {@value #DIR_PROPERTY} names a directory (the pom sets it for surefire and failsafe).
 */
public final class SkipRecorder implements TestExecutionListener {
    public static final String DIR_PROPERTY = "probe4j.test.records";

    private final Path dir;
    private TestPlan plan;
    private final Set<TestIdentifier> started = new HashSet<>();
    private final List<SkipSummary.Skipped> skipped = new ArrayList<>();
    private int tests;

    public SkipRecorder() {
        this(System.getProperty(DIR_PROPERTY) == null ? null : Path.of(System.getProperty(DIR_PROPERTY)));
    }

    /** Writes into {@code dir}, or nowhere when it is null. */
    public SkipRecorder(Path dir) {
        this.dir = dir;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        started.add(id);
        if (id.isTest()) {
            tests++;
        }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        notRun(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String message = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
            if (id.isTest()) {
                skipped.add(new SkipSummary.Skipped(name(id), message));
            } else {
                notRun(id, message);    // e.g. an assumption in @BeforeAll: its tests never started
            }
        }
    }

    /** {@code id} and the tests under it that never started are skipped for {@code reason}. */
    private void notRun(TestIdentifier id, String reason) {
        List<TestIdentifier> all = new ArrayList<>(plan.getDescendants(id));
        all.add(id);
        for (TestIdentifier t : all) {
            if (t.isTest() && !started.contains(t)) {
                started.add(t);
                tests++;
                skipped.add(new SkipSummary.Skipped(name(t), reason));
            }
        }
    }

    private static String name(TestIdentifier id) {
        return id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName())
                .orElse(id.getDisplayName());
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("tests-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".txt");
            Files.write(file, SkipSummary.Run.lines(new SkipSummary.Run(tests, skipped)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test record in " + dir, e);
        }
    }

    /** What was recorded so far (for tests of this class). */
    SkipSummary.Run run() {
        return new SkipSummary.Run(tests, List.copyOf(skipped));
    }
}
