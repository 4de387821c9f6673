package io.probe4j.spec;

import java.util.List;

/** A definition that creates an event: a uprobe or a kprobe, named {@code GROUP/EVENT}, with its fetch arguments. */
public sealed interface EventDefinition extends Definition permits ProbeDefinition, KprobeDefinition {
    /** A return probe. */
    boolean isReturn();

    String group();

    String event();

    List<FetchArg> args();
}
