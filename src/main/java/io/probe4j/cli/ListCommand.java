package io.probe4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "list", mixinStandardHelpOptions = true, description = "(not built yet)")
final class ListCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("probe4j list: not built yet");
        return 1;
    }
}
