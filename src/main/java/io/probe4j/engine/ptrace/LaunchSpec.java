package io.probe4j.engine.ptrace;

import io.probe4j.error.UserException;
import io.probe4j.sys.Environment;
import io.probe4j.sys.Spawn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A command to launch under tracing: the program (a path, or a name looked up in {@code $PATH}),
 * its arguments, its environment and where its standard streams go.
 */
public record LaunchSpec(List<String> command, Environment env, Spawn.Stdio stdio) {
    public LaunchSpec {
        if (command.isEmpty()) {
            throw new UserException("no command to launch");
        }
        command = List.copyOf(command);
    }

    /** The command with the given environment variables (in the map's order). */
    public LaunchSpec(List<String> command, Map<String, String> env, Spawn.Stdio stdio) {
        this(command, Environment.of(env), stdio);
    }

    /** The command with the environment this JVM was started with (byte for byte, in order) and inherited standard streams. */
    public static LaunchSpec of(String... command) {
        return new LaunchSpec(List.of(command), Environment.inherited(), Spawn.Stdio.INHERIT);
    }

    public LaunchSpec withStdio(Spawn.Stdio stdio) {
        return new LaunchSpec(command, env, stdio);
    }

    /** The program's path: {@code command[0]} if it holds a {@code /}, else the first match in {@code $PATH}. */
    public Path program() {
        String name = command.getFirst();
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new UserException("cannot run " + name + ": " + (Files.exists(p) ? "not an executable file" : "no such file"));
            }
            return p.toAbsolutePath();
        }
        String path = env.get("PATH").orElse("/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new UserException("cannot run " + name + ": not found in $PATH");
    }
}
