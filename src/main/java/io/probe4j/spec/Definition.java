package io.probe4j.spec;

/**
 * One line of the {@code uprobe_events} language, parsed. Either a probe to create or an event to
 * remove ({@code -:[GRP/]EVENT}).
 */
public sealed interface Definition permits ProbeDefinition, RemoveDefinition {
}
