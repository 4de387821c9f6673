package io.probe4j.engine.kernel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the session's tracefs objects, and the sweep of objects left by probe4j runs that died
 * without cleaning up (SIGKILL, power loss): an instance {@code probe4j-<pid>[-<n>]} or a group
 * {@code probe4j_<pid>[_<n>]} whose pid is no longer alive. Nothing else is touched.
 */
final class Leftovers {
    private static final Pattern INSTANCE = Pattern.compile("probe4j-(\\d+)(?:-\\d+)?");
    private static final Pattern GROUP = Pattern.compile("probe4j_(\\d+)(?:_\\d+)?");

    private Leftovers() {
    }

    static String instanceName(long pid, int session) {
        return session == 0 ? "probe4j-" + pid : "probe4j-" + pid + "-" + session;
    }

    static String groupName(long pid, int session) {
        return session == 0 ? "probe4j_" + pid : "probe4j_" + pid + "_" + session;
    }

    /**
     * Removes dead runs' instances, then their events in each of {@code files} (an event enabled in an
     * instance cannot go first).
     */
    static void sweep(Tracefs fs, List<EventsFile> files, PrintStream diagnostics) {
        try (DirectoryStream<Path> instances = Files.newDirectoryStream(fs.path("instances"))) {
            for (Path i : instances) {
                Matcher m = INSTANCE.matcher(i.getFileName().toString());
                if (m.matches() && dead(m.group(1))) {
                    try {
                        Files.delete(i);
                        diagnostics.println("probe4j: removed the tracefs instance of a dead probe4j run: " + i.getFileName());
                    } catch (IOException e) {
                        diagnostics.println("probe4j: cannot remove leftover instance " + i + ": " + e.getMessage());
                    }
                }
            }
            for (EventsFile events : files) {
                sweepEvents(events, diagnostics);
            }
        } catch (IOException e) {
            diagnostics.println("probe4j: cannot look for leftovers of earlier runs: " + e.getMessage());
        }
    }

    private static void sweepEvents(EventsFile events, PrintStream diagnostics) throws IOException {
        for (String event : events.listed()) {
            String group = event.substring(0, event.indexOf('/'));
            Matcher m = GROUP.matcher(group);
            if (m.matches() && dead(m.group(1))) {
                try {
                    events.remove(group, event.substring(event.indexOf('/') + 1));
                    diagnostics.println("probe4j: removed the event of a dead probe4j run: " + event);
                } catch (IOException e) {
                    diagnostics.println("probe4j: cannot remove leftover event " + event + ": " + e.getMessage());
                }
            }
        }
    }

    private static boolean dead(String pid) {
        return !Files.exists(Path.of("/proc", pid));
    }
}
