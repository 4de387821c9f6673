package io.probe4j.engine.kernel;

import java.util.function.BiConsumer;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.EventSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The session's reader thread: reads the instance's {@code trace_pipe} (a consuming read, blocking
 * while the buffer is empty), turns each line into an event and hands it to the sink. It stops at the
 * session's end marker, which the session writes into the same buffer after the last event of interest,
 * so every event recorded before it has been read when the thread ends.
 */
final class TracePipeReader implements Runnable {
    private static final int MAX_JOINED_LINES = 64;

    private final Path pipe;
    private final TraceLineParser parser;
    private final EventSink sink;
    private final String endMarker;
    private final PrintStream diagnostics;
    private long events;
    private long lostLines;
    private long unparsed;
    private final BiConsumer<String, ProbeEvent> rawLines;
    private final UserStackJoiner stacks;

    /** {@code userStacks}: the instance has the {@code userstacktrace} option on; each event's stack follows it. */
    TracePipeReader(Path pipe, TraceLineParser parser, EventSink sink, String endMarker, PrintStream diagnostics,
                    BiConsumer<String, ProbeEvent> rawLines, boolean userStacks) {
        this.rawLines = rawLines;
        this.stacks = userStacks ? new UserStackJoiner(sink) : null;
        this.pipe = pipe;
        this.parser = parser;
        this.sink = sink;
        this.endMarker = endMarker;
        this.diagnostics = diagnostics;
    }

    @Override
    public void run() {
        byte[] buf = new byte[1 << 16];
        StringBuilder pending = new StringBuilder();
        int joined = 0;
        try (InputStream in = Files.newInputStream(pipe)) {
            StringBuilder partial = new StringBuilder();
            for (int n; (n = in.read(buf)) >= 0; ) {
                partial.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int start = 0;
                for (int nl; (nl = partial.indexOf("\n", start)) >= 0; start = nl + 1) {
                    if (!pending.isEmpty()) {
                        if (partial.indexOf(": tracing_mark_write: " + endMarker, start) == nl - endMarker.length() - 22) {
                            unparsed(pending.toString(), "a string value never closed");
                            pending.setLength(0);
                            joined = 0;
                        } else {
                            pending.append('\n');
                        }
                    }
                    pending.append(partial, start, nl);
                    switch (parser.parse(pending.toString())) {
                        case TraceLineParser.Parsed.Event e -> {
                            events++;
                            if (rawLines != null) {
                                rawLines.accept(pending.toString(), e.event());
                            }
                            if (stacks != null) {
                                stacks.event(e.event());
                            } else {
                                sink.accept(e.event());
                            }
                        }
                        case TraceLineParser.Parsed.UserStackHeader h -> {
                            if (stacks != null) {
                                stacks.header(h.tid());
                            }
                        }
                        case TraceLineParser.Parsed.StackLine l -> {
                            if (stacks != null) {
                                stacks.line(l.text());
                            }
                        }
                        case TraceLineParser.Parsed.Lost l -> lostLines += l.count();
                        case TraceLineParser.Parsed.Marker m -> {
                            if (m.text().equals(endMarker)) {
                                if (stacks != null) {
                                    stacks.flushAll();
                                }
                                sink.flush();
                                return;
                            }
                        }
                        case TraceLineParser.Parsed.Incomplete i -> {
                            if (++joined < MAX_JOINED_LINES) {
                                continue;
                            }
                            unparsed(pending.toString(), "a string value never closed");
                        }
                        case TraceLineParser.Parsed.Unparsed u -> unparsed(pending.toString(), u.why());
                    }
                    pending.setLength(0);
                    joined = 0;
                }
                partial.delete(0, start);
                if (stacks != null) {
                    stacks.endOfRead();
                }
                sink.flush();
            }
        } catch (IOException e) {
            diagnostics.println("probe4j: reading " + pipe + " failed: " + e.getMessage());
        }
    }

    private void unparsed(String line, String why) {
        if (unparsed++ < 5) {
            diagnostics.println("probe4j: warning: cannot read a trace line (" + why + "): " + line);
        }
    }

    long events() {
        return events;
    }

    /** Events the kernel reported lost in the stream ({@code [LOST N EVENTS]}). */
    long lostInStream() {
        return lostLines;
    }

    long unparsed() {
        return unparsed;
    }
}
