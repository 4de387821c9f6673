package io.probe4j.cli;

import io.probe4j.UserException;
import io.probe4j.sys.SignalState;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code probe4j} command: one picocli subcommand per job, each in its own file. */
@Command(name = "probe4j", mixinStandardHelpOptions = true, version = "probe4j 0.1.0",
        description = "Dynamic instrumentation for Linux: uprobes and uretprobes, the uprobe_events language.",
        subcommands = {TraceCommand.class, ParseCommand.class, ListCommand.class, DecodeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        SignalState.rememberStart();
        StopSignals.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status, for tests that drive it in-process. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
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
}
