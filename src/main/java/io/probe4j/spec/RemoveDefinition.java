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
}
