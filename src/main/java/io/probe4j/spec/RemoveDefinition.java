package io.probe4j.spec;

/**
 * {@code -:[GRP/]EVENT}: removes an event.
 *
 * @param group the group given, or {@code null} when the definition named none (any group matches)
 * @param event the event name
 */
public record RemoveDefinition(String group, String event) implements Definition {
}
