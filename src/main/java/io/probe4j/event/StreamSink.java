package io.probe4j.event;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** An {@link EventSink} writing one of the {@link OutputFormat}s to standard output or a file. */
public final class StreamSink implements EventSink {
    private final OutputStream out;
    private final boolean ownsStream;
    private final OutputFormat format;
    private final ProfileTable profile;
    /** The line being built, reused: a line costs no allocation. */
    private final ByteLine line = new ByteLine();
    private final TraceText.Lines lines = new TraceText.Lines();
    private long events;
    private boolean closed;

    private StreamSink(OutputStream out, boolean ownsStream, OutputFormat format, ProfileTable profile) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.ownsStream = ownsStream;
        this.format = format;
        this.profile = profile;
        if (format == OutputFormat.TEXT) {
            write(TraceText.HEADER.getBytes(StandardCharsets.US_ASCII));
            flush();
        }
    }

    /**
     * Opens a sink. {@code file} null means standard output. {@code profile} is the table a
     * {@link OutputFormat#PROFILE} sink counts into (its events declared beforehand); ignored otherwise.
     */
    public static StreamSink open(OutputFormat format, Path file, ProfileTable profile) {
        if (file == null) {
            return new StreamSink(System.out, false, format, profile);
        }
        try {
            return new StreamSink(Files.newOutputStream(file), true, format, profile);
        } catch (IOException e) {
            throw new io.probe4j.error.UserException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** A sink over any stream (tests, embedding); the stream is not closed by {@link #close}. */
    public static StreamSink of(OutputStream out, OutputFormat format, ProfileTable profile) {
        return new StreamSink(out, false, format, profile);
    }

    @Override
    public synchronized void accept(ProbeEvent e) {
        events++;
        if (format == OutputFormat.PROFILE) {
            profile.count(e);
        } else {
            format(e, out);
        }
    }

    /**
     * Whether what {@link #accept} writes of an event depends on that event alone (text and JSON lines,
     * not the profile's table), so that a caller holding events back (to put them in time order) can
     * {@link #format} each as it comes, hold its bytes, and hand them over with {@link #acceptFormatted}
     * in their turn: the same output, without keeping the events' objects alive.
     */
    public boolean formatsAhead() {
        return format != OutputFormat.PROFILE;
    }

    /** Appends to {@code into} what {@link #accept} would write of {@code e} (only when {@link #formatsAhead}). */
    public synchronized void format(ProbeEvent e, OutputStream into) {
        try {
            switch (format) {
                case TEXT -> {
                    lines.append(line.reset(), e);
                    TraceText.appendStacks(line, e);
                    line.ascii('\n').writeTo(into);
                }
                case JSON -> into.write((JsonLine.line(e) + "\n").getBytes(StandardCharsets.UTF_8));
                case PROFILE -> throw new IllegalStateException("a profile counts events: it formats none ahead");
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** Takes {@code count} events as {@link #format} formatted them: their bytes {@code b[from .. to)}, written out. */
    public synchronized void acceptFormatted(byte[] b, int from, int to, int count) {
        events += count;
        try {
            out.write(b, from, to - from);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    @Override
    public synchronized void missed(String group, String event, long count) {
        if (format == OutputFormat.PROFILE) {
            profile.missed(group, event, count);
        }
    }

    /**
     * A report about an event, written between the events: {@code text} as it is in the text and profile
     * formats, one object {@code {"group":...,"event":...,"KIND":"TEXT"}} in JSON (a hist file, say).
     * {@code text} holds one byte per char (the kernel's files are bytes; strings in them are the program's).
     */
    public synchronized void report(String group, String event, String kind, String text) {
        if (closed) {
            return;
        }
        if (format == OutputFormat.JSON) {
            StringBuilder b = new StringBuilder("{\"group\":");
            JsonLine.string(b, group);
            b.append(",\"event\":");
            JsonLine.string(b, event);
            b.append(',');
            JsonLine.string(b, kind);
            b.append(':');
            JsonLine.string(b, new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            write(b.append("}\n").toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Events taken so far. */
    public synchronized long events() {
        return events;
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the profile table (for {@link OutputFormat#PROFILE}), flushes, closes a file; once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (format == OutputFormat.PROFILE) {
            write(profile.render().getBytes(StandardCharsets.UTF_8));
        }
        flush();
        closed = true;
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void write(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
