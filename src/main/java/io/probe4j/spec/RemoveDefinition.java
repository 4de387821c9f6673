package io.probe4j.spec;

import java.util.List;

/**
 * {@code -:[GRP/]EVENT [PATH:OFFSET [ARGS]]}: removes events.
 *
 * @param group the group given, or {@code null} when the definition named none (any group matches)
 * @param event the event name; empty with a group ({@code -:GRP/}) removes every event of the group
 * @param match further words as written: an event is removed only when its normal form continues
 *              with them ({@code PATH:0x%016x[(0xREF)]} then {@code NAME=ARG}s, compared word by word)
 */
public record RemoveDefinition(String group, String event, List<String> match) implements Definition {
    public RemoveDefinition {
        match = List.copyOf(match);
    }

    /** {@code -:[GRP/]EVENT} without further words. */
    public RemoveDefinition(String group, String event) {
        this(group, event, List.of());
    }

    /**
     * Whether this removes the event {@code group/event} probing {@code place} with {@code args}, as the
     * kernel matches (trace_probe_match_command_args): the name, the group, then each further word
     * against the place and the {@code NAME=ARG}s of the normal form, in order.
     */
    public boolean matches(String group, String event, String place, List<FetchArg> args) {
        if (!this.event.isEmpty() && !this.event.equals(event)) {
            return false;
        }
        if (this.group != null && !this.group.equals(group)) {
            return false;
        }
        if (match.isEmpty()) {
            return true;
        }
        if (!match.getFirst().equals(place) || args.size() < match.size() - 1) {
            return false;
        }
        for (int i = 1; i < match.size(); i++) {
            FetchArg a = args.get(i - 1);
            if (!match.get(i).equals(a.name() + "=" + a.text())) {
                return false;
            }
        }
        return true;
    }
}
