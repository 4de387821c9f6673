package io.probe4j.cli;

import io.probe4j.arch.x86_64.X86InstructionBoundaries;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.elf.TargetResolver;
import java.util.List;
import io.probe4j.spec.Parser;
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

    /**
     * The definitions {@code d} stands for: itself, or for a USDT probe ({@code PATH:PROVIDER:NAME}) one
     * kernel definition per place of the probe ({@link UsdtDefinitions}).
     */
    static List<ProbeDefinition> expand(TargetResolver resolver, ProbeDefinition d) {
        if (!(d.target().location() instanceof ProbeTarget.Location.Usdt)) {
            return List.of(d);
        }
        return UsdtDefinitions.lines(resolver, d).stream()
                .map(line -> (ProbeDefinition) Parser.kernel().parseLine(line).orElseThrow()).toList();
    }

    /** A line of the extended language as the lines it stands for (see {@link #expand}). */
    static List<String> expand(TargetResolver resolver, String line) {
        if (UsdtDefinitions.mayBe(line) && Parser.extended().parseLine(line).orElse(null) instanceof ProbeDefinition d
                && d.target().location() instanceof ProbeTarget.Location.Usdt) {
            return UsdtDefinitions.lines(resolver, d);
        }
        return List.of(line);
    }

    /** The definition with its target resolved to a real file and file offset (automatic name made now). */
    static ProbeDefinition resolve(TargetResolver resolver, ProbeDefinition d) {
        ProbeTarget t = resolver.resolve(d.target());
        return d.resolvedTo(t.path(), ((ProbeTarget.Location.FileOffset) t.location()).offset());
    }
}
