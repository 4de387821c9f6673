package io.probe4j.cli;

import io.probe4j.engine.inline.InlineEvents;
import io.probe4j.engine.inline.Losses;
import io.probe4j.engine.inline.Recording;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code probe4j report FILE [-o OUT] [--format text|json]}: a recording of {@code trace --engine inline
 * --format binary} printed as the trace would have printed it (the same lines, in the same order), and
 * its lost-record warnings, as {@code perf script} prints what {@code perf record} wrote.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a recording of 'trace --engine inline --format binary -o FILE' as trace would have printed it."},
        footer = {"", "Example:", "  probe4j trace --engine inline --format binary -o /tmp/rec 'p:add /tmp/prog:add a=%%di:s32' -- /tmp/prog",
                "  probe4j report /tmp/rec"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the recording")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the events to OUT instead of standard output.")
    Path output;

    @Option(names = "--format", description = "text (the kernel's trace format) or json (one object per line). Default: ${DEFAULT-VALUE}.")
    TraceCommand.Format format = TraceCommand.Format.text;

    @Override
    public Integer call() {
        if (format == TraceCommand.Format.binary) {
            throw new io.probe4j.error.UserException("probe4j report: --format takes text or json");
        }
        try (Recording recording = Recording.open(file)) {
            StreamSink sink = StreamSink.open(format == TraceCommand.Format.json ? OutputFormat.JSON : OutputFormat.TEXT, output,
                    new ProfileTable());
            InlineEvents events = new InlineEvents(recording.decoder(), InlineEvents.keepAll(), sink);
            Losses losses;
            try {
                losses = recording.replay(events);
            } catch (RuntimeException damaged) {
                events.end(new Losses(new long[0], 0, 0)); // what came before the damage
                throw damaged;
            } finally {
                sink.close();
            }
            losses.lines(recording.events()).forEach(l -> System.err.println("probe4j: " + l));
            return 0;
        }
    }
}
