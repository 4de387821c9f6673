package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.testing.Kernel;
import io.probe4j.testing.Skip;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bpftrace's {@code usdt:} probes as a second oracle for the decoding of USDT arguments: the values
 * probe4j's trap engine prints for {@code demo:tick} are the ones bpftrace prints, argument by argument
 * (bpftrace 0.17 reads six). At {@code -O2} the sixth is the RIP-relative {@code demo_point(%rip)}, which
 * bpftrace 0.17 reads at {@code %rip} itself, ignoring the symbol (it prints the bytes of its own
 * breakpoint there, {@code cc 48 83 3d}): the first five are compared, and the kernel is the oracle for
 * that form ({@link UsdtEnginesTest}).
 */
@Timeout(180)
@Kernel
class UsdtBpftraceTest {
    private static final Pattern ARGS = Pattern.compile("\\|tick: \\(0x[0-9a-f]+\\) (.*)$");

    @ParameterizedTest
    @ValueSource(strings = {"O0", "O2", "nopie"})
    void tickArgumentsAreWhatBpftraceReads(String build) throws Exception {
        Skip.PLATFORM.unless(Files.isExecutable(Path.of("/usr/bin/bpftrace")), "no bpftrace (apt-get install bpftrace)");
        Path demo = UsdtFixtures.demo(build);
        int compared = build.equals("O0") ? 6 : 5;
        List<String> command = List.of(demo.toString(), "tick:4");

        StringBuilder fmt = new StringBuilder("bpftrace");
        StringBuilder args = new StringBuilder();
        for (int i = 0; i < compared; i++) {
            fmt.append(" %ld");
            args.append(", arg").append(i);
        }
        String script = "usdt:" + demo + ":demo:tick { printf(\"" + fmt + "\\n\"" + args + "); }";
        Process bt = new ProcessBuilder("bpftrace", "-e", script, "-c", String.join(" ", command))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(bt.getInputStream().readAllBytes());
        bt.waitFor(60, TimeUnit.SECONDS);
        Skip.PLATFORM.unless(bt.exitValue() == 0, "bpftrace cannot attach here (exit " + bt.exitValue() + ")");
        List<String> oracle = out.lines().filter(l -> l.startsWith("bpftrace ")).toList();

        BothEngines.Run trap = BothEngines.run("trap", List.of("p:tick " + demo + ":demo:tick"), command);
        List<String> ours = new ArrayList<>();
        for (String e : trap.events()) {
            Matcher m = ARGS.matcher(e);
            if (m.find()) {
                String[] values = m.group(1).split(" ");
                StringBuilder line = new StringBuilder("bpftrace");
                for (int i = 0; i < compared; i++) {
                    line.append(' ').append(values[i].substring(values[i].indexOf('=') + 1));
                }
                ours.add(line.toString());
            }
        }
        assertEquals(4, oracle.size(), out);
        assertEquals(oracle, ours);
    }
}
