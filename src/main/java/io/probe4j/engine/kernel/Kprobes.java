package io.probe4j.engine.kernel;

import io.probe4j.error.UserException;
import io.probe4j.spec.Definition;
import io.probe4j.spec.KernelSymbols;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.KprobeSupport;
import io.probe4j.spec.Parser;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's way to kernel-function probes: {@code kprobe_events} definitions checked against
 * this kernel ({@code /proc/kallsyms}) by io.probe4j.spec, ready for
 * {@link KernelTracer#start(List, List, io.probe4j.event.EventSink, java.io.PrintStream)}.
 */
public final class Kprobes {
    private Kprobes() {
    }

    /**
     * Parses {@code kprobe_events} definitions ({@code p[:[GRP/]EVENT] [MOD:]SYM[+OFF]|ADDR [FETCHARGS]},
     * {@code r[MAXACTIVE]...}). Empty in, empty out (nothing is checked).
     *
     * @throws UserException when this kernel has no kprobe events (naming the missing kernel option), or a
     *                        definition is one the kernel would refuse (its error_log message and caret), or
     *                        is a removal ({@code -:...})
     */
    public static List<KprobeDefinition> parse(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        requireSupport();
        Parser parser = Parser.kprobe(KernelSymbols.running());
        List<KprobeDefinition> out = new ArrayList<>();
        for (String text : texts) {
            Definition d = parser.parseLine(text).orElseThrow(
                    () -> new UserException("probe4j trace: '" + text + "' is blank or a comment, not a kprobe definition"));
            if (!(d instanceof KprobeDefinition k)) {
                throw new UserException("probe4j trace: '" + text + "' removes an event; --kprobe takes probe definitions (p:... or r:...)");
            }
            out.add(k);
        }
        return out;
    }

    /** Fails, naming the missing kernel option, when this kernel has no {@code kprobe_events}. */
    static void requireSupport() {
        KprobeSupport.check().ifPresent(why -> {
            throw new UserException("probe4j: cannot trace kernel functions: " + why, 1);
        });
    }
}
