package io.probe4j.cli;

import io.probe4j.arch.x86_64.X86InstructionBoundaries;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.elf.TargetResolver;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;

/**
 * Where the command line assembles the resolver: the elf package's finder and symbols, with the
 * x86-64 decoder deciding instruction boundaries (elf does not depend on the architecture).
 */
final class Targets {
    private Targets() {
    }

    static TargetResolver resolver(boolean force) {
        return new TargetResolver(ObjectFinder.system(), X86InstructionBoundaries.INSTANCE, force);
    }

    /** The definition with its target resolved to a real file and file offset (automatic name made now). */
    static ProbeDefinition resolve(TargetResolver resolver, ProbeDefinition d) {
        ProbeTarget t = resolver.resolve(d.target());
        return d.resolvedTo(t.path(), ((ProbeTarget.Location.FileOffset) t.location()).offset());
    }
}
