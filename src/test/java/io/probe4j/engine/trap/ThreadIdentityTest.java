package io.probe4j.engine.trap;

import static io.probe4j.engine.trap.ProbeKernelTest.off;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Skip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TASK and CPU# columns follow the thread: a thread that renames itself (prctl, pthread_setname_np)
 * or is moved to another CPU shows its new name and CPU at its next hit. The fixture says in each hit's
 * arguments what the columns must hold; the kernel's uprobes show the premise holds, and the trap engine
 * must agree: with the CPU from the thread's rseq area, and from /proc when there is none.
 */
@Timeout(120)
@Tag("integration")
class ThreadIdentityTest {
    private static final Pattern LINE = Pattern.compile("^ *(.{1,16})-(\\d+) +\\[(\\d{3})\\] .*: pr_mark: \\(0x\\p{XDigit}+\\) cpu=(\\d+) name=\"(.*)\"$");

    private static List<String> hits(String engine, String... env) {
        Path bin = Fixtures.compile("probe_rename.c", "-pthread");
        List<String> args = new ArrayList<>(List.of("trace", "--engine", engine,
                "p:pr_mark " + off(bin, "mark") + " cpu=%di:s32 name=+0(%si):string", "--", "env"));
        args.addAll(List.of(env));
        args.add(bin.toString());
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("renamed and moved") || !r.out().isEmpty(), r.err());
        List<String> out = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                // the columns, then what they must be
                out.add(m.group(1).strip() + "@" + Integer.parseInt(m.group(3)) + " " + m.group(5) + "@" + m.group(4));
            }
        }
        return out;
    }

    private static void assertColumnsFollow(List<String> hits) {
        assertEquals(6, hits.size(), String.join("\n", hits));
        for (String h : hits) {
            String[] f = h.split(" ");
            assertEquals(f[1], f[0], "TASK@CPU vs what the thread was: " + h);
        }
    }

    @Test
    void theKernelShowsTheNameAndCpuOfTheMoment() {
        Skip.unlessKernel();
        assertColumnsFollow(hits("kernel"));
    }

    @Test
    void theTrapEngineReadsTheCpuFromRseq() {
        assertColumnsFollow(hits("trap"));
    }

    @Test
    void theTrapEngineReadsTheCpuFromProcWithoutRseq() {
        assertColumnsFollow(hits("trap", "GLIBC_TUNABLES=glibc.pthread.rseq=0"));
    }
}
