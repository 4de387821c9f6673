package io.probe4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "parse", mixinStandardHelpOptions = true, description = "(not built yet)")
final class ParseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("probe4j parse: not built yet");
        return 1;
    }
}
