package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Kernel;
import io.probe4j.testing.Skip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every definition is written to the live kernel's {@code uprobe_events} and given to probe4j; the
 * outcome must be the same: accepted or not, the errno, the error_log message and caret, and what
 * {@code uprobe_events} lists afterwards. Placeholders: {F} a copy of /bin/true with a name unique to
 * this run, {F2} another copy whose name has '.', '-' and '_', {D} a directory, {N} a missing file,
 * {E} an event name unique to the case, {G} a group unique to this run.
 */
@Kernel
class KernelDifferentialTest {
    private static String id;
    private static Path dir;
    private static int compared;

    @BeforeAll
    static void setUp() throws IOException {
        Skip.KERNEL.unless(KernelOracle.available(), "needs root and tracefs: uprobe_events writable, error_log readable");
        id = Long.toString(ProcessHandle.current().pid()) + (System.nanoTime() % 1000);
        dir = Path.of("target", "spec-oracle-" + id).toAbsolutePath();
        Files.createDirectories(dir.resolve("sub"));
        Files.copy(Path.of("/bin/true"), dir.resolve("specq" + id), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("/bin/true"), dir.resolve("specq" + id + ".so-1_x"), StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (dir != null) {
            KernelOracle.removeAll(dir.toString());
            System.out.println("definitions compared with the kernel: " + compared);
        }
    }

    @Test
    void handwrittenDefinitionsMatchTheKernel() throws IOException {
        List<String> cases = DifferentialCases.handwritten();
        assertTrue(cases.size() >= 300, "at least 300 cases, have " + cases.size());
        assertEquals(List.of(), compareAll(cases));
    }

    @Test
    void selftestSyntaxErrorsMatchTheKernel() throws IOException {
        assertEquals(List.of(), compareAll(DifferentialCases.selftest()));
    }

    @Test
    void randomDefinitionsMatchTheKernel() throws IOException {
        long seed = Long.getLong("spec.seed", System.nanoTime());
        System.out.println("random definitions: seed " + seed + " (rerun with -Dspec.seed=" + seed + ")");
        Random random = new Random(seed);
        List<String> cases = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            cases.add(DifferentialCases.random(random));
        }
        assertEquals(List.of(), compareAll(cases), "seed " + seed);
    }

    private List<String> compareAll(List<String> cases) throws IOException {
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (String c : cases) {
            String event = "s" + id + "n" + (n++) + "x" + cases.size();
            List<String> lines = new ArrayList<>();
            for (String l : c.split(" ;; ")) {
                lines.add(l.replace("{F2}", dir + "/specq" + id + ".so-1_x").replace("{F}", dir + "/specq" + id)
                        .replace("{D}", dir + "/sub").replace("{N}", dir + "/missing")
                        .replace("{E}", event).replace("{G}", "specg" + id));
            }
            try {
                compareCase(lines, mismatches);
            } finally {
                KernelOracle.removeAll(dir.toString());
            }
        }
        return mismatches;
    }

    private static void compareCase(List<String> lines, List<String> mismatches) throws IOException {
        DefinitionSet ours = new DefinitionSet(Parser.kernel()).withForeignEvents(
                (g, e) -> Files.isDirectory(KernelOracle.TRACING.resolve("events").resolve(g).resolve(e)));
        for (String line : lines) {
            compared++;
            SpecException error = null;
            try {
                ours.apply(line);
            } catch (SpecException e) {
                error = e;
            }
            String command = String.join(" ", Parser.split(line.contains("#") ? line.substring(0, line.indexOf('#')) : line));
            KernelOracle.Outcome kernel = KernelOracle.write(line, command);
            String expected = describe(kernel);
            String actual = error == null ? "accepted" : describe(error);
            if (!expected.equals(actual)) {
                mismatches.add(abbreviate(line) + "\n   kernel:  " + expected + "\n   probe4j: " + actual);
                return;
            }
        }
        List<String> kernelListing = KernelOracle.listing(dir.toString());
        if (!kernelListing.equals(ours.listing())) {
            mismatches.add(abbreviate(String.join(" ;; ", lines)) + "\n   kernel lists:  " + kernelListing
                    + "\n   probe4j lists: " + ours.listing());
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static String describe(KernelOracle.Outcome o) {
        if (o.errno() == null) {
            return "accepted";
        }
        return o.errno() + (o.log() == null ? " (no log)" : " " + o.log().message() + " @" + o.log().caret());
    }

    private static String describe(SpecException e) {
        return e.errno() + e.error().map(k -> " " + k.message() + " @" + e.caret()).orElse(" (no log)");
    }
}
