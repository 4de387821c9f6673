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
 * its arguments, its environment, its working directory ({@code null}: this process's) and where its
 * standard streams go.
 */
public record LaunchSpec(List<String> command, Environment env, Path directory, Spawn.Stdio stdio) {
    public LaunchSpec {
        if (command.isEmpty()) {
            throw new UserException("no command to launch");
        }
        command = List.copyOf(command);
    }

    /** The command in this process's working directory. */
    public LaunchSpec(List<String> command, Environment env, Spawn.Stdio stdio) {
        this(command, env, null, stdio);
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
        return new LaunchSpec(command, env, directory, stdio);
    }

    /**
     * The program's path: {@code command[0]} if it holds a {@code /}, else the first match in {@code $PATH};
     * relative ones from the working directory the program will have, as {@code execvp} in it would.
     */
    public Path program() {
        Path base = directory == null ? Path.of("") : directory;
        if (directory != null && !Files.isDirectory(directory)) {
            throw new UserException("cannot run " + command.getFirst() + " in " + directory + ": "
                    + (Files.exists(directory) ? "not a directory" : "no such directory"));
        }
        String name = command.getFirst();
        if (name.contains("/")) {
            Path p = base.resolve(name);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new UserException("cannot run " + name + ": " + (Files.exists(p) ? "not an executable file" : "no such file"));
            }
            return p.toAbsolutePath();
        }
        String path = env.get("PATH").orElse("/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = base.resolve(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new UserException("cannot run " + name + ": not found in $PATH");
    }
}
