package io.probe4j.spec;

/**
 * One line of the {@code uprobe_events} or {@code kprobe_events} language, parsed: a uprobe or a kprobe
 * to create, or an event to remove
 * ({@code -:[GRP/]EVENT}).
 */
public sealed interface Definition permits EventDefinition, RemoveDefinition {
}
