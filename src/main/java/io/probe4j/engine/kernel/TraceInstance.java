package io.probe4j.engine.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tracefs instance of the session's own ({@code instances/probe4j-<pid>}): its own ring buffer,
 * clock, options, pid filter and event enables, so the global buffer and other users' tracing are
 * never touched.
 */
final class TraceInstance {
    private final Tracefs fs;
    private final String dir;

    private TraceInstance(Tracefs fs, String name) {
        this.fs = fs;
        this.dir = "instances/" + name;
    }

    /**
     * Creates the instance with CLOCK_MONOTONIC timestamps (the clock the trap engine reads too) and
     * the thread group id recorded with each event (so events carry a pid as well as a tid).
     */
    static TraceInstance create(Tracefs fs, String name) throws IOException {
        Files.createDirectory(fs.path("instances/" + name));
        TraceInstance i = new TraceInstance(fs, name);
        i.write("trace_clock", "mono");
        i.write("options/record-tgid", "1");
        return i;
    }

    Path dir() {
        return fs.path(dir);
    }

    /** Only events of {@code pid} and of the tasks it forks from now on (threads included). */
    void followPid(long pid) throws IOException {
        write("options/event-fork", "1");
        write("set_event_pid", Long.toString(pid));
    }

    /** Never records events of these tasks (thread ids), in one write of {@code set_event_notrace_pid}. */
    void ignoreTasks(java.util.List<Long> tids) throws IOException {
        StringBuilder b = new StringBuilder();
        tids.forEach(t -> b.append(t).append(' '));
        write("set_event_notrace_pid", b.toString().trim());
    }

    /** Turns one of the kernel's trace options ({@code options/NAME}) on in this instance only. */
    void option(String name) throws IOException {
        write("options/" + name, "1");
    }

    void bufferSizeKb(int kb) throws IOException {
        write("buffer_size_kb", Integer.toString(kb));
    }

    /** Enables one event in this instance only. */
    void enable(String group, String event) throws IOException {
        write("events/" + group + "/" + event + "/enable", "1");
    }

    /**
     * Sets an event's filter in this instance only. When the kernel refuses it, the exception's message
     * is what the {@code filter} file reads back: the filter, a caret and the kernel's parse error.
     */
    void filter(String group, String event, String filter) throws IOException {
        String file = "events/" + group + "/" + event + "/filter";
        try {
            write(file, filter);
        } catch (IOException e) {
            throw new IOException(fs.readOnce(dir + "/" + file).stripTrailing(), e);
        }
    }

    /** Writes a line into this instance's buffer (ordered with the events by timestamp). */
    void mark(String text) throws IOException {
        write("trace_marker", text);
    }

    Path tracePipe() {
        return fs.path(dir + "/trace_pipe");
    }

    /** Events lost in this instance: {@code overrun} plus {@code dropped events} over all CPUs. */
    long lostEvents() throws IOException {
        long lost = 0;
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(fs.path(dir + "/per_cpu"), "cpu*")) {
            for (Path cpu : cpus) {
                for (String line : Files.readAllLines(cpu.resolve("stats"))) {
                    if (line.startsWith("overrun:") || line.startsWith("dropped events:")) {
                        lost += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return lost;
    }

    /** Removes the instance (its buffer, enables and pid filter go with it). */
    void remove() throws IOException {
        Files.deleteIfExists(fs.path(dir));
    }

    private void write(String file, String value) throws IOException {
        fs.write(dir + "/" + file, value);
    }
}
