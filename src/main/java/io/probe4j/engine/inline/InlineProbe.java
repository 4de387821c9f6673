package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.engine.ring.EventLayout;
import io.probe4j.spec.ProbeDefinition;
import java.nio.file.Path;

/**
 * A probe the inline engine takes: where it is in its file, the jump planned there (at link-time
 * addresses; {@link JumpSite.Patchable#movedBy} moves it to where a process maps the file), and where
 * its records' values go.
 *
 * @param event       the event id in record headers (the index in the engine's list)
 * @param linkAddress the probed instruction's link-time address
 * @param atFunction  whether it is a function's first instruction (the flags need not be kept there)
 */
public record InlineProbe(int event, ProbeDefinition definition, Path file, long inode, long fileOffset, long linkAddress,
        JumpSite.Patchable site, boolean atFunction, EventLayout layout) {

    public boolean isReturn() {
        return definition.isReturn();
    }

    /** The site where the file's mapping puts {@code fileOffset} at {@code runtime}. */
    JumpSite.Patchable siteAt(long runtime) {
        return site.movedBy(runtime - linkAddress);
    }

    @Override
    public String toString() {
        return definition.group() + "/" + definition.event();
    }
}
