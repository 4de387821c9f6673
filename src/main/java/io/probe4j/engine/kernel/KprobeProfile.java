package io.probe4j.engine.kernel;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's per-kprobe counters from {@code kprobe_profile} ({@code "  %-44s %15lu %15lu"}: event
 * name, hits, missed). The file names events without their group, so two groups' events of the same name
 * (another user's, the session's) cannot be told apart by name; both files walk the same list of
 * dynamic events, though, so the n-th profile line belongs to the n-th {@code kprobe_events} line. The
 * listing is read before and after the profile and must not have changed in between.
 */
final class KprobeProfile {
    private static final int ATTEMPTS = 3;

    private KprobeProfile() {
    }

    /** Missed hits by {@code GROUP/EVENT}; empty when the files kept changing under us. */
    static Map<String, Long> missed(Tracefs fs) throws IOException {
        EventsFile kprobes = EventsFile.kprobes(fs);
        for (int i = 0; i < ATTEMPTS; i++) {
            List<String> before = kprobes.listed();
            List<String> profile = fs.read("kprobe_profile").lines().toList();
            List<String> after = kprobes.listed();
            if (before.equals(after) && profile.size() == after.size()) {
                Map<String, Long> out = matched(after, profile);
                if (out != null) {
                    return out;
                }
            }
        }
        return Map.of();
    }

    private static Map<String, Long> matched(List<String> listing, List<String> profile) {
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i < listing.size(); i++) {
            String[] f = profile.get(i).trim().split("\\s+");
            String name = listing.get(i).substring(listing.get(i).indexOf('/') + 1);
            if (f.length != 3 || !f[0].equals(name)) {
                return null;
            }
            out.put(listing.get(i), Long.parseUnsignedLong(f[2]));
        }
        return out;
    }
}
