package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.spec.Definition;
import io.probe4j.spec.DefinitionSet;
import io.probe4j.spec.KernelSymbols;
import io.probe4j.spec.NormalForm;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.elf.TargetResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code probe4j parse}: checks definitions as {@code uprobe_events} would and prints each in the
 * kernel's normal form; the first bad one stops it with the kernel's error block.
 */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Check uprobe_events definitions like the kernel does and print them in the kernel's normal form.",
                "Lines from --file come first, then the DEFINITION arguments; like a write to uprobe_events,",
                "the first bad definition stops everything (error block on stderr, exit status 2).",
                "A wildcard (p PATH:GLOB) stands for one definition per matching function: they are printed, and a",
                "summary of what matched and what was skipped (indirect functions, unprobeable ones) goes to stderr."})
final class ParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--file", paramLabel = "FILE", description = "read definitions from FILE, one per line (# comments allowed)")
    Path file;

    @Option(names = "--strict", description = "only the kernel's syntax (no PATH:SYMBOL, no PATH without '/')")
    boolean strict;

    @Option(names = "--kprobe", description = {"kprobe_events definitions (kernel functions, e.g. 'p:grp/ev vfs_read $arg1'),",
            "checked as Linux 6.1 checks them, symbols against this kernel's /proc/kallsyms"})
    boolean kprobe;

    @Parameters(paramLabel = "DEFINITION", arity = "0..*", description = "a definition, e.g. 'p:grp/ev /bin/true:0x1000 %di'")
    List<String> definitions = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> lines = new ArrayList<>();
        if (file != null) {
            try {
                lines.addAll(Files.readAllLines(file));
            } catch (IOException e) {
                throw new UserException("probe4j parse: cannot read " + file + ": " + e.getMessage());
            }
        }
        lines.addAll(definitions);
        if (lines.isEmpty()) {
            throw new UserException("probe4j parse: no definitions (give DEFINITION arguments or --file FILE)");
        }
        Parser parser = kprobe ? Parser.kprobe(KernelSymbols.running()) : strict ? Parser.kernel() : Parser.extended();
        DefinitionSet set = new DefinitionSet(parser, ParseCommand::resolve);
        PrintWriter out = spec.commandLine().getOut();
        Set<String> names = new HashSet<>(); // GROUP/EVENT defined so far: wildcards' automatic names avoid them
        for (String line : lines) {
            // A SpecException is a UserException: Main prints its kernel-style block and exits 2.
            List<String> applied = parser.mode() != Parser.Mode.KPROBE && mayBeWildcard(line)
                    && parser.parseLine(line).orElse(null) instanceof ProbeDefinition d && d.isWildcard()
                    ? expand(d, names) : parser.mode() == Parser.Mode.EXTENDED ? Targets.expand(RESOLVER, line) : List.of(line);
            for (String one : applied) {
                for (Definition d : set.apply(one).stream().toList()) {
                    if (d instanceof ProbeDefinition p) {
                        names.add(p.group() + "/" + p.event());
                    }
                    out.println(NormalForm.of(d));
                }
            }
        }
        out.flush();
        return 0;
    }

    /** Whether a line has a pattern character anywhere (then it is parsed once more, to see whether it is a wildcard). */
    private static boolean mayBeWildcard(String line) {
        return line.indexOf('*') >= 0 || line.indexOf('?') >= 0 || line.indexOf('[') >= 0;
    }

    /**
     * A wildcard as the lines it stands for, in the kernel's form (so each is checked as if written to
     * {@code uprobe_events}); its summary goes to stderr.
     */
    private List<String> expand(ProbeDefinition d, Set<String> names) {
        Wildcards.Expansion e = Wildcards.expand(RESOLVER, d, (group, event) -> names.contains(group + "/" + event));
        PrintWriter err = spec.commandLine().getErr();
        err.println(e.summary());
        err.flush();
        return e.definitions().stream().map(NormalForm::of).toList();
    }

    /**
     * The one place where probe4j's extensions (PATH:SYMBOL[+OFF], a program or library name without
     * '/') become a real path and file offset, through the elf package's resolver.
     */
    static ProbeDefinition resolve(ProbeDefinition d) {
        return Targets.resolve(RESOLVER, d);
    }

    private static final TargetResolver RESOLVER = Targets.resolver(false);
}
