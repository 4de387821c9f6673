package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.sys.Clock;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.MappedMemory;
import io.probe4j.sys.Memfd;
import io.probe4j.sys.Niceness;
import io.probe4j.sys.ProcFile;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.SignalState;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code probe4j} command: one picocli subcommand per job, each in its own file ({@link #SUBCOMMANDS}). */
@Command(name = "probe4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Dynamic instrumentation for Linux: uprobes and uretprobes, the uprobe_events language.")
public final class Main {
    /**
     * The subcommands, in the order help lists them. picocli reads a command's annotations when it is
     * added, tens of milliseconds for all of them in a cold JVM (its classes cannot be in the JDK's
     * ahead-of-time cache), so a command line naming one gets that one only; help, a mistyped name or
     * none gets them all.
     */
    private static final List<String> SUBCOMMANDS = List.of("trace", "report", "parse", "list", "decode", "help");

    /** A new subcommand object (a switch, not lambdas: each lambda class is spun at run time, ~10 ms cold). */
    private static Object subcommand(String name) {
        return switch (name) {
            case "trace" -> new TraceCommand();
            case "report" -> new ReportCommand();
            case "parse" -> new ParseCommand();
            case "list" -> new ListCommand();
            case "decode" -> new DecodeCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Set by the launcher for the training run of the JDK's ahead-of-time cache (see {@link #train}). */
    static final String TRAINING_PROPERTY = "probe4j.aot.training";

    /** The classes whose static FFM downcalls the trap engine needs before the traced program starts. */
    private static final List<Class<?>> TRAP_NATIVE_CALLS = List.of(Spawn.class, Ptrace.class, Wait.class, Signals.class,
            ProcessMemory.class, ProcFile.class, Clock.class);
    /** And the inline engine's rings, on top of the trap engine's process control: linked after those. */
    private static final List<Class<?>> INLINE_NATIVE_CALLS = Stream.concat(TRAP_NATIVE_CALLS.stream(),
            Stream.of(Memfd.class, LocalMemory.class, MappedMemory.class)).toList();

    public static void main(String[] args) {
        io.probe4j.sys.Phase.mark("main");
        if (Boolean.getBoolean(TRAINING_PROPERTY)) {
            System.exit(train());
        }
        SignalState.rememberStart();
        StopSignals.install();
        if (tracesWithPtrace(args)) {
            linkInBackground(asksFor("trap", args) ? TRAP_NATIVE_CALLS : INLINE_NATIVE_CALLS);
        }
        if (args.length > 0 && args[0].equals("trace")) {
            // the JIT compilers and the collector warm up while the traced program runs: they yield to it
            // (this JVM is probe4j's alone; this thread, which starts the program, keeps the user's priority)
            Niceness.backgroundAllButCaller();
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status, for tests that drive it in-process. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.contains(first) && !first.equals("help")) {
            cl.addSubcommand(first, subcommand(first));
        } else {
            for (String name : SUBCOMMANDS) {
                cl.addSubcommand(name, subcommand(name));
            }
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserException u) {
                String msg = u.getMessage();
                commandLine.getErr().print(msg.endsWith("\n") ? msg : msg + "\n");
                commandLine.getErr().flush();
                return u.exitCode();
            }
            throw e;
        });
        return cl.execute(args);
    }

    /**
     * Initializes the classes on another core while picocli reads the command line. Linking an FFM
     * downcall spins its stub class at run time, which the JDK's AOT cache does not hold, and picocli's
     * classes (Java 5 class files) cannot be in that cache at all: together they are most of what
     * remains between the JVM's start and the traced program's main. Initializing a class twice is
     * impossible, so the command finds them ready or waits for them; a class that fails to initialize
     * fails the same way for the command.
     */
    private static void linkInBackground(List<Class<?>> classes) {
        Thread.ofPlatform().daemon().name("probe4j-link").start(() -> {
            for (Class<?> c : classes) {
                try {
                    Class.forName(c.getName(), true, c.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    return; // the command's own use of the class reports it
                }
            }
        });
    }

    /**
     * {@code trace} on a ptrace engine (the inline engine, the default, runs on the trap engine's process
     * control), as far as can be told before picocli parses.
     */
    static boolean tracesWithPtrace(String... args) {
        return args.length > 0 && args[0].equals("trace") && !asksFor("kernel", args);
    }

    /** Whether the command line (before any {@code --}) says {@code --engine ENGINE}. */
    private static boolean asksFor(String engine, String... args) {
        for (int i = 1; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals("--engine=" + engine) || args[i].equals("--engine") && i + 1 < args.length && args[i + 1].equals(engine)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The launcher's training run for the JDK's ahead-of-time cache ({@code -XX:AOTMode=record}): the
     * commands a user runs, in one JVM, so that the classes they load and link, and the profiles of
     * their hot methods, are in the cache — above all the trace path up to the traced program's
     * {@code main}. Output goes where the launcher sends it (nowhere). Best effort: a step that fails
     * here (no ptrace in a container, no tracefs) only leaves its classes out of the cache.
     */
    static int train() {
        // `true --version` calls both (plain `true` calls neither): the events' path is trained too
        List<String> probes = List.of("p:train libc:setlocale category=%di:s32 locale=+0(%si):string",
                "p:train_getenv libc:getenv name=+0(%di):string", "r:train_ret libc:getenv value=$retval:x64");
        List<String> traced = List.of("--", "/bin/true", "--version");
        List<List<String>> steps = new ArrayList<>(List.of(List.of("--help"), List.of("trace", "--help"),
                concat(List.of("parse"), probes), List.of("list", "libc"), List.of("decode", "libc:setlocale"),
                concat(List.of("trace", "-o", "/dev/null"), probes, traced),
                concat(List.of("trace", "-o", "/dev/null", "--format", "json"), probes, traced),
                // every libc function, inline: the cache then says which methods a thousand probes make hot, and
                // the JVM compiles them at start (a cold C1 queue reached them after the attach was done). An
                // attach of 1,000 inline probes, measured in alternated runs: 13-23 ms sooner; 0.5 s more training
                concat(List.of("trace", "-o", "/dev/null", "p:train_all/ libc:*"), traced)));
        if (Files.isWritable(Path.of("/sys/kernel/tracing/uprobe_events"))) {
            steps.add(concat(List.of("trace", "-o", "/dev/null", "--engine", "kernel"), probes, traced));
        }
        for (List<String> step : steps) {
            try {
                run(step.toArray(String[]::new));
            } catch (RuntimeException | LinkageError e) {
                // training only: the command's own runs report this to the user
            }
        }
        return 0;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }
}
