package io.probe4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Why a test cannot run on this machine. A skipped test's message starts with the reason's key in
 * brackets ({@code [kernel] needs root and tracefs ...}), so that {@link SkipSummary} can count the
 * skips of a run per reason and fail the run when a reason cannot hold (a kernel-backed test
 * skipped although the run is root with tracefs mounted).
 */
public enum Skip {
    /** Root and a writable {@code uprobe_events}: the kernel's own uprobes are the oracle. */
    KERNEL("kernel"),
    /** The throw-away QEMU VM with a kprobe kernel ({@code scripts/kprobe-vm} exits 77 without it). */
    VM("vm"),
    /** The running kernel is built otherwise than the test is about (it has kprobe events, no config.gz). */
    KERNEL_CONFIG("kernel-config"),
    /** The machine's libraries or compiler lack what the test looks at (e.g. a libc without IFUNCs). */
    PLATFORM("platform");

    /** Where the kernel's tracing file system is mounted. */
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    /** The {@link #KERNEL} skip message. */
    static final String NO_KERNEL = KERNEL.because("needs root and tracefs: " + TRACEFS.resolve("uprobe_events")
            + " is not writable");

    private final String key;

    Skip(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The skip message: {@code [key] detail}. */
    public String because(String detail) {
        return "[" + key + "] " + detail;
    }

    /** Skips the running test (or, from {@code @BeforeAll}, the class). */
    public void abort(String detail) {
        Assumptions.abort(because(detail));
    }

    /** Skips the running test (or, from {@code @BeforeAll}, the class) unless {@code condition} holds. */
    public void unless(boolean condition, String detail) {
        Assumptions.assumeTrue(condition, () -> because(detail));
    }

    /** Whether this machine can back kernel tests: tracefs mounted and {@code uprobe_events} writable (root). */
    public static boolean kernelAvailable() {
        return Files.isWritable(TRACEFS.resolve("uprobe_events"));
    }

    /** Skips the running test unless this machine can back kernel tests. */
    public static void unlessKernel() {
        Assumptions.assumeTrue(kernelAvailable(), NO_KERNEL);
    }

    /**
     * The reason a skip message names, if it names one. JUnit prefixes a failed assumption's message
     * with "Assumption failed: "; a class disabled by {@code @EnabledIf("...KernelFixtures#kernelAvailable")}
     * (JUnit's own message) is a kernel skip too.
     */
    public static Optional<Skip> of(String message) {
        if (message == null) {
            return Optional.empty();
        }
        if (message.contains("KernelFixtures#kernelAvailable\")")) {
            return Optional.of(KERNEL);
        }
        String m = message.strip().replaceFirst("^Assumption failed: ", "");
        return Stream.of(values()).filter(s -> m.startsWith("[" + s.key + "]")).findFirst();
    }
}
