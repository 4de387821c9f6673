package io.probe4j;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A program for {@link Tracer#launch(Launch)} to start: its command line, environment, working
 * directory and standard streams. What is not given is inherited from this JVM, as a shell's child
 * inherits it: the environment byte for byte and in its order, the working directory, the streams.
 *
 * <pre>{@code
 * Launch launch = Launch.of("/usr/bin/prog", "input.txt")
 *         .withDirectory(Path.of("/tmp/work"))
 *         .withStdout(Path.of("out.txt"))          // created or truncated, as a shell's '>'
 *         .withStderr(Path.of("/dev/null"));
 * }</pre>
 *
 * @param command     the program (a path, or a name looked up in the launch's {@code $PATH}) and its arguments
 * @param environment the program's environment in the map's order; empty: this JVM's own, byte for byte
 * @param directory   the program's working directory; empty: this JVM's; a relative program path and
 *                    relative {@code $PATH} entries are resolved from it
 * @param stdin       the file the program reads as standard input; empty: this JVM's (relative paths of
 *                    the three streams are from this JVM's working directory, as for {@link ProcessBuilder})
 * @param stdout      the file its standard output goes to (created or truncated); empty: this JVM's
 * @param stderr      the file its standard error goes to (created or truncated); empty: this JVM's
 */
public record Launch(List<String> command, Optional<Map<String, String>> environment, Optional<Path> directory,
                     Optional<Path> stdin, Optional<Path> stdout, Optional<Path> stderr) {

    /**
     * Copies the command and the environment.
     *
     * @throws IllegalArgumentException for an empty command
     */
    public Launch {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a launch needs a command");
        }
        environment = environment.map(env -> Collections.unmodifiableMap(new LinkedHashMap<>(env)));
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /**
     * {@return a launch of {@code command} with everything else inherited}
     *
     * @param command the program and its arguments
     */
    public static Launch of(String... command) {
        return of(List.of(command));
    }

    /**
     * {@return a launch of {@code command} with everything else inherited}
     *
     * @param command the program and its arguments
     */
    public static Launch of(List<String> command) {
        return new Launch(command, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * {@return this launch with exactly these environment variables, in the map's order}
     *
     * @param environment the variables by name
     */
    public Launch withEnvironment(Map<String, String> environment) {
        return new Launch(command, Optional.of(environment), directory, stdin, stdout, stderr);
    }

    /**
     * {@return this launch started in {@code directory}}
     *
     * @param directory the program's working directory
     */
    public Launch withDirectory(Path directory) {
        return new Launch(command, environment, Optional.of(directory), stdin, stdout, stderr);
    }

    /**
     * {@return this launch reading standard input from {@code file}}
     *
     * @param file what the program reads ({@code /dev/null}: nothing)
     */
    public Launch withStdin(Path file) {
        return new Launch(command, environment, directory, Optional.of(file), stdout, stderr);
    }

    /**
     * {@return this launch writing standard output to {@code file}}
     *
     * @param file where the output goes, created or truncated ({@code /dev/null}: discarded)
     */
    public Launch withStdout(Path file) {
        return new Launch(command, environment, directory, stdin, Optional.of(file), stderr);
    }

    /**
     * {@return this launch writing standard error to {@code file}}
     *
     * @param file where the errors go, created or truncated ({@code /dev/null}: discarded)
     */
    public Launch withStderr(Path file) {
        return new Launch(command, environment, directory, stdin, stdout, Optional.of(file));
    }
}
