package io.probe4j.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.spec.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.probe4j.testing.Kernel;

/**
 * Every filter is written to the {@code filter} file of a live uprobe event (in a tracefs instance of the
 * test's own) and given to probe4j's parser; the outcome must be the same: accepted or not, the write's
 * errno, what the {@code filter} file reads back (the filter, the caret line, {@code parse_error: ...}),
 * and the instance's {@code error_log} entry (message, command, caret).
 */
@Kernel
class FilterKernelDifferentialTest {
    private static FilterOracle oracle;
    private static EventFields entryFields;
    private static EventFields returnFields;
    private static int compared;
    private static int refused;

    @BeforeAll
    static void setUp() throws IOException {
        String group = "p4jfilter_" + ProcessHandle.current().pid();
        String entry = FilterFixture.entry(group, "ff");
        String exit = FilterFixture.exit(group, "ffr");
        oracle = new FilterOracle(group, List.of(entry, exit));
        entryFields = EventFields.of(FilterFixture.definition(entry));
        returnFields = EventFields.of(FilterFixture.definition(exit));
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (oracle != null) {
            oracle.close();
            System.out.println("filters compared with the kernel: " + compared + " (" + refused + " refused)");
        }
    }

    @Test
    void handwrittenFiltersMatchTheKernel() throws IOException {
        List<String> cases = FilterCases.handwritten();
        assertTrue(cases.size() >= 200, "cases: " + cases.size());
        assertEquals(List.of(), compareAll("ff", entryFields, cases));
    }

    @Test
    void everyFieldKindOperatorAndValueMatchesTheKernel() throws IOException {
        List<String> cases = FilterCases.generated();
        assertTrue(cases.size() >= 300, "cases: " + cases.size());
        assertEquals(List.of(), compareAll("ff", entryFields, cases));
    }

    @Test
    void returnProbeFieldsMatchTheKernel() throws IOException {
        assertEquals(List.of(), compareAll("ffr", returnFields, List.of("__probe_func != 0", "__probe_ret_ip > 0x1000",
                "__probe_ip == 0", "rv == 3", "low < 0", "low ~ \"x\"", "rv & CPUS{0-1}", "__probe_func.function == vfs_read")));
    }

    @Test
    void randomFiltersMatchTheKernel() throws IOException {
        long seed = Long.getLong("filter.seed", System.nanoTime());
        System.out.println("random filters: seed " + seed + " (rerun with -Dfilter.seed=" + seed + ")");
        Random random = new Random(seed);
        List<String> cases = new ArrayList<>();
        while (cases.size() < 400) {
            String c = FilterCases.random(random);
            if (!endsWithPendingOrUnderAnd(c)) {
                cases.add(c);
            }
        }
        assertEquals(List.of(), compareAll("ff", entryFields, cases), "seed " + seed);
    }

    /**
     * Filters ending in {@code &&} while an {@code ||} is pending make the kernel read outside its program
     * (a WARN in the kernel log, then usually -EINVAL): never written to the kernel. probe4j refuses them.
     */
    static boolean endsWithPendingOrUnderAnd(String f) {
        String t = f.replaceAll("[\\s!\u00a0]+$", "");
        return t.endsWith("&&") && t.contains("||");
    }

    @Test
    void theKernelsUnsafeTrailingAndIsRefused() {
        FilterException e = org.junit.jupiter.api.Assertions.assertThrows(FilterException.class,
                () -> EventFilter.parse("u8 == 1 || s8 == 2 &&", entryFields, HostKernel.running()));
        assertEquals(FilterError.UNSPECIFIED, e.error());
        assertEquals(Errno.EINVAL, e.errno());
    }

    private static List<String> compareAll(String event, EventFields fields, List<String> cases) throws IOException {
        List<String> mismatches = new ArrayList<>();
        for (String c : cases) {
            FilterOracle.Outcome kernel = oracle.write(event, c);
            FilterOracle.Outcome mine = probe4j(c, fields);
            compared++;
            if (kernel.errno() != null) {
                refused++;
            }
            if (!kernel.equals(mine)) {
                mismatches.add("[" + c + "]\n  kernel:  " + kernel + "\n  probe4j: " + mine);
            }
        }
        return mismatches;
    }

    private static FilterOracle.Outcome probe4j(String filter, EventFields fields) {
        try {
            Optional<EventFilter> f = EventFilter.parse(filter, fields, HostKernel.running());
            return new FilterOracle.Outcome(null, f.map(EventFilter::text).orElse("none") + "\n", null);
        } catch (FilterException e) {
            return new FilterOracle.Outcome(e.errno(), e.readBack(), e.errorLogEntry());
        }
    }
}
