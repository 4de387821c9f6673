package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.arch.x86_64.ProbeSite;
import io.probe4j.elf.TargetResolver;
import io.probe4j.engine.kernel.KernelTracer;
import io.probe4j.engine.kernel.Kprobes;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import io.probe4j.spec.Definition;
import io.probe4j.spec.FileLookup;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import io.probe4j.event.EventSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code probe4j trace [--engine trap|inline|kernel] [-p PID] [-o FILE] [--format text|json|binary] [--profile] [--all] DEFINITION...
 * [-- COMMAND ARGS]}: creates the probes, runs the command (or traces every process until Ctrl-C) and
 * prints each hit in the kernel's trace format. Exits with the command's exit status.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace probe hits: uprobe_events definitions, printed like the kernel's trace_pipe.",
                "With a COMMAND after --, only that command and the processes it starts are traced, and probe4j "
                        + "exits with its exit status. With -p PID (trap or inline engine) a running process is traced until it "
                        + "ends or Ctrl-C detaches. With neither, the kernel engine traces every process until Ctrl-C."},
        footer = {"", "Example:", "  probe4j trace 'p:add /tmp/prog:0x1149 a=%%di:s32 b=%%si:s32' -- /tmp/prog",
                "  probe4j trace -p 1234 'r:/tmp/prog:add rv=$retval:s32'"})
final class TraceCommand implements Callable<Integer> {

    enum Engine { kernel, trap, inline }

    enum Format { text, json, binary }

    @Spec
    CommandSpec spec;

    @Option(names = "--engine", description = "inline (jumps to code that records in the program without stopping it; the probes it "
            + "cannot take, and every probe when user stacks are asked for, run on the trap engine, one line each says why), "
            + "trap (probe4j's own breakpoints through ptrace: a stop per hit) or kernel (tracefs uprobes, needs root). "
            + "Default: ${DEFAULT-VALUE}.")
    Engine engine = Engine.inline;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Attach to running process PID (trap or inline engine); Ctrl-C detaches and leaves it running.")
    Integer pid;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write events to FILE instead of standard output.")
    Path output;

    @Option(names = "--format", description = "text (the kernel's trace format), json (one object per line) or binary (inline engine, "
            + "with -o FILE: the records as they come out of the rings, printed later by probe4j report FILE). Default: ${DEFAULT-VALUE}.")
    Format format = Format.text;

    @Option(names = "--profile", description = "Print only hit counts per event at the end, in the uprobe_profile layout.")
    boolean profile;

    @Option(names = "--force", description = "Probe an offset even where it cannot be confirmed to start an instruction.")
    boolean force;

    @Option(names = "--all", description = "Trace every process, also while a COMMAND runs.")
    boolean all;

    @Option(names = "--file", paramLabel = "FILE", description = "Read definitions from FILE too, one per line (# comments and blank lines allowed).")
    Path file;

    @Option(names = "--kprobe", paramLabel = "DEFINITION",
            description = "A kprobe_events definition (a kernel function, e.g. 'p:rd vfs_read $arg3:u64'); repeatable. Kernel engine, root, CONFIG_KPROBE_EVENTS.")
    List<String> kprobeTexts = new ArrayList<>();

    @Option(names = "--filter", paramLabel = "EVENT: EXPR", description = "The kernel's event filter for EVENT (its name, or * for every event), e.g. 'getenv: COMM ~ \"ls*\"'; repeatable.")
    List<String> filterTexts = new ArrayList<>();

    @Mixin
    TriggerOptions triggerOptions;

    @Mixin
    StackOptions stackOptions;

    @Parameters(paramLabel = "DEFINITION", arity = "0..*",
            description = "uprobe_events definitions (p:/r:...; PATH:GLOB probes every function matching GLOB), "
                    + "then -- and the command to run.")
    List<String> positional = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        List<String> command = command();
        List<String> texts = new ArrayList<>(definitionsFromFile());
        texts.addAll(positional.subList(0, positional.size() - command.size()));
        if (texts.isEmpty() && kprobeTexts.isEmpty()) {
            throw new UserException("probe4j trace: give at least one probe definition, e.g. 'p:NAME /path/prog:0x1149 %di'");
        }
        boolean ptrace = engine != Engine.kernel;
        if (pid != null && (!ptrace || !command.isEmpty())) {
            throw new UserException("probe4j trace: -p PID goes with the trap or inline engine and without a COMMAND");
        }
        if (ptrace && pid == null && command.isEmpty()) {
            throw new UserException("probe4j trace: the " + engine + " engine traces a COMMAND (after --) or a process (-p PID)");
        }
        if (ptrace && !kprobeTexts.isEmpty()) {
            throw new UserException("probe4j trace: kernel-function probes (--kprobe) need --engine kernel", 1);
        }
        if (format == Format.binary && (engine != Engine.inline || output == null || profile || !filterTexts.isEmpty()
                || !triggerOptions.texts.isEmpty() || triggerOptions.tracingOff || triggerOptions.interval != null
                || !stackOptions.traceOptions.isEmpty() || stackOptions.ustack != null)) {
            throw new UserException("probe4j trace: --format binary records the inline engine's records to a file for probe4j report: "
                    + "it takes --engine inline and -o FILE, and none of --profile, --filter, --trigger, --tracing-off, --interval, "
                    + "--options, --ustack");
        }
        stackOptions.check(engine == Engine.kernel);
        io.probe4j.sys.Phase.mark("call");
        TargetResolver resolver = Targets.resolver(force); // one for all: each file is opened once
        List<ResolvedProbe> probes = new ArrayList<>();
        Set<String> names = new HashSet<>(); // GROUP/EVENT of the definitions so far: wildcards' names avoid them
        for (String text : texts) {
            ProbeDefinition d = parse(text);
            List<ResolvedProbe> these;
            if (d.isWildcard()) {
                these = expand(resolver, d, names);
            } else { // USDT: each place; a loop, not a stream: a thousand definitions in a cold JVM
                these = new ArrayList<>(1);
                for (ProbeDefinition one : Targets.expand(resolver, d)) {
                    these.add(resolve(resolver, one));
                }
            }
            for (ResolvedProbe p : these) {
                names.add(p.definition().group() + "/" + p.definition().event());
            }
            probes.addAll(these);
        }
        io.probe4j.sys.Phase.mark("parsed+resolved");
        List<KprobeDefinition> kprobes = Kprobes.parse(kprobeTexts);
        if (format == Format.binary) {
            return InlineTrace.run(probes, EventSink.of(e -> { }), command, pid, TraceFilters.of(List.of(), probes, kprobes), output);
        }
        OutputFormat out = profile ? OutputFormat.PROFILE : format == Format.json ? OutputFormat.JSON : OutputFormat.TEXT;
        ProfileTable table = new ProfileTable();
        for (ResolvedProbe p : probes) {
            table.declare(p.definition().group(), p.definition().event(), p.file().toString());
        }
        kprobes.forEach(k -> table.declareKprobe(k.group(), k.event()));
        TraceTriggers triggers = TraceTriggers.of(triggerOptions, probes, kprobes, TraceFilters.of(filterTexts, probes, kprobes),
                stackOptions, engine == Engine.kernel);
        EventSink sink = triggers.sink(StreamSink.open(out, output, table));
        String stacks = stackOptions.stacksWanted();
        if (engine == Engine.inline && !stacks.isEmpty()) {
            // never a silent change of meaning: the stacks are asked for, so the probes run where they can be taken
            System.err.println("probe4j: every probe runs on the trap engine: " + stacks
                    + " takes the user stack while the thread is stopped, and the inline engine never stops it");
        }
        if (engine == Engine.trap || !stacks.isEmpty() && engine == Engine.inline) {
            return TrapTrace.run(probes, sink, command, pid, triggers.filters(), stackOptions);
        }
        if (engine == Engine.inline) {
            return InlineTrace.run(probes, sink, command, pid, triggers.filters(), null);
        }
        try (KernelTracer tracer = KernelTracer.start(probes, kprobes, sink, System.err)) {
            triggers.filters().applyTo(tracer);
            tracer.traceOptions(stackOptions.traceOptions);
            if (command.isEmpty()) {
                tracer.runSystemWide(); // says "tracing every process" once the probes are in
                return 0;
            }
            return tracer.run(command, all);
        }
    }

    /** The words after {@code --} (picocli hands them over as positional parameters too). */
    private List<String> command() {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        if (dashes < 0) {
            return List.of();
        }
        int n = original.size() - dashes - 1;
        return List.copyOf(positional.subList(positional.size() - n, positional.size()));
    }

    /** The non-blank, non-comment lines of {@code --file}. */
    private List<String> definitionsFromFile() {
        if (file == null) {
            return List.of();
        }
        try {
            // as uprobe_events reads them: everything from a '#' on is a comment
            return Files.readAllLines(file).stream().filter(l -> !l.substring(0, hashOrEnd(l)).isBlank()).toList();
        } catch (IOException e) {
            throw new UserException("probe4j trace: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static int hashOrEnd(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line.length() : hash;
    }

    /** One parser for all the definitions: it looks each probed file up once. */
    private static final Parser PARSER = new Parser(Parser.Mode.EXTENDED, FileLookup.REAL.remembering());

    /** One definition, parsed by io.probe4j.spec (the only parser of the language). */
    private static ProbeDefinition parse(String text) {
        Definition d = parseDefinition(text);
        if (d instanceof ProbeDefinition p) {
            return p;
        }
        throw new UserException("probe4j trace: '" + text + "' removes an event; trace takes probe definitions (p:... or r:...)");
    }

    private static Definition parseDefinition(String text) {
        return PARSER.parseLine(text).orElseThrow(
                () -> new UserException("probe4j trace: '" + text + "' is blank or a comment, not a probe definition"));
    }

    /** A wildcard definition's probes, one per matched function; its summary line goes to stderr. */
    private static List<ResolvedProbe> expand(TargetResolver resolver, ProbeDefinition d, Set<String> names) {
        Wildcards.Expansion e = Wildcards.expand(resolver, d, (group, event) -> names.contains(group + "/" + event));
        System.err.println(e.summary());
        List<ResolvedProbe> out = new ArrayList<>(e.definitions().size());
        for (ProbeDefinition r : e.definitions()) {
            out.add(new ResolvedProbe(r, Path.of(r.target().path()).toAbsolutePath().normalize(),
                    ((ProbeTarget.Location.FileOffset) r.target().location()).offset(), r.target().refCtrOffset()));
        }
        return out;
    }

    /** Each definition's file as a normalized absolute path, once a path text: a thousand definitions name one file. */
    private final Map<String, Path> absolute = new HashMap<>();

    /**
     * A definition's target as a real file and file offset: probe4j's extensions (symbols, program and
     * library names) are resolved, and an offset inside a function must be an instruction boundary
     * unless {@code --force}.
     */
    private ResolvedProbe resolve(TargetResolver resolver, ProbeDefinition d) {
        ProbeDefinition resolved = Targets.resolve(resolver, d);
        ProbeTarget t = resolved.target();
        long offset = ((ProbeTarget.Location.FileOffset) t.location()).offset();
        Path file = absolute.computeIfAbsent(t.path(), path -> Path.of(path).toAbsolutePath().normalize());
        if (!force) {
            // before anything is created: the kernel would only say ENOTSUPP when the event is enabled
            ProbeSite.check(resolver.open(file), file, offset);
        }
        return new ResolvedProbe(resolved, file, offset, t.refCtrOffset());
    }
}
