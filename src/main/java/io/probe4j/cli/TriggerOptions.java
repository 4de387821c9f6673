package io.probe4j.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The trigger options of {@code probe4j trace} (a picocli mixin, so that TraceCommand stays small). */
final class TriggerOptions {

    /** How hist triggers are shown. */
    enum HistFormat { kernel, bars }

    @Option(names = "--trigger", paramLabel = "EVENT: TRIGGER",
            description = "A trigger of the kernel's trigger language for EVENT (its name, GROUP/NAME or *): traceon, traceoff, "
                    + "enable_event:GROUP:EVENT, disable_event, enable_hist, disable_hist, [:COUNT], [if FILTER], "
                    + "hist:keys=...[:vals=...][:sort=...][:size=N][:name=N][:pause|:cont|:clear]; repeatable, in order.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--interval", paramLabel = "SECONDS",
            description = "Print the hist triggers' tables every SECONDS too, not only at the end.")
    Double interval;

    @Option(names = "--tracing-off",
            description = "Start with tracing off (tracing_on = 0): no event is printed until a traceon trigger fires; "
                    + "triggers and hist tables see every hit.")
    boolean tracingOff;

    @Option(names = "--hist-format", paramLabel = "FORMAT",
            description = "kernel (the hist file, exactly as the kernel prints it) or bars (bpftrace's hist()/lhist()/count() "
                    + "picture). Default: ${DEFAULT-VALUE}.")
    HistFormat histFormat = HistFormat.kernel;
}
