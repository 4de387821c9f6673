package io.probe4j.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Whether the running kernel takes kprobe events, and if not, why, in words a user can act on. The
 * kernel engine calls {@link #check()} before writing to {@code kprobe_events}.
 */
public final class KprobeSupport {
    private KprobeSupport() {
    }

    /** Empty when {@code kprobe_events} is there; otherwise what is missing. */
    public static Optional<String> check() {
        return check(Path.of("/sys/kernel/tracing"), Path.of("/proc/config.gz"),
                Path.of("/boot/config-" + System.getProperty("os.version")));
    }

    static Optional<String> check(Path tracefs, Path procConfig, Path bootConfig) {
        if (Files.exists(tracefs.resolve("kprobe_events"))) {
            return Optional.empty();
        }
        if (!Files.exists(tracefs.resolve("available_events"))) {
            return Optional.of("kprobe events are not available: tracefs is not mounted at " + tracefs
                    + " (mount -t tracefs nodev " + tracefs + ")");
        }
        String where = "kprobe_events is missing from " + tracefs;
        Optional<List<String>> config = readConfig(procConfig, bootConfig);
        if (config.isEmpty()) {
            return Optional.of("this kernel has no kprobe events: " + where + " (kernel configuration not readable: no "
                    + procConfig + " or " + bootConfig + ")");
        }
        List<String> c = config.get();
        if (c.contains("CONFIG_KPROBE_EVENTS=y")) {
            return Optional.of("kprobe events are configured (CONFIG_KPROBE_EVENTS=y) but " + where);
        }
        String why = "CONFIG_KPROBE_EVENTS is not set";
        if (!c.contains("CONFIG_KPROBES=y")) {
            why += ", nor is CONFIG_KPROBES";
        }
        return Optional.of("this kernel has no kprobe events: " + why + " (" + where + ")");
    }

    private static Optional<List<String>> readConfig(Path procConfig, Path bootConfig) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(procConfig))) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        } catch (IOException e) {
            // fall back to the distribution's copy
        }
        try {
            return Optional.of(Files.readAllLines(bootConfig));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Prints the check's verdict (used in the kprobe VM). */
    public static void main(String[] args) {
        System.out.println(check().orElse("kprobe events available"));
    }
}
