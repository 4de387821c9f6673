package io.probe4j.testing;

import io.probe4j.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code probe4j} in a JVM of its own, started the way a script starts a background job:
 * {@code sh -c 'probe4j ARGS >OUT 2>ERR </dev/null & wait'}. A non-interactive shell starts such a job
 * with SIGINT and SIGQUIT ignored, which is what wrappers, CI jobs and {@code timeout -s INT} give
 * the tools they run. The shell waits for the job and records its exit status.
 */
public final class BackgroundJob {
    private static final String SCRIPT =
            "d=$1; shift; \"$@\" >\"$d/out\" 2>\"$d/err\" </dev/null & echo $! >\"$d/pid\"; wait $!; echo $? >\"$d/status\"";
    private final Process shell;
    private final Path dir;

    private BackgroundJob(Process shell, Path dir) {
        this.shell = shell;
        this.dir = dir;
    }

    /** {@code probe4j ARGS} (this JVM's classes) as a background job, with this JVM's environment. */
    public static BackgroundJob probe4j(String... args) throws IOException {
        return probe4j(null, args);
    }

    /** As {@link #probe4j(String...)}, with exactly the environment {@code env} (null: this JVM's). */
    public static BackgroundJob probe4j(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return of(env, cmd);
    }

    /** Any command as a background job of a non-interactive shell. */
    public static BackgroundJob of(Map<String, String> env, List<String> command) throws IOException {
        Path dir = Files.createTempDirectory("probe4j-job");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "sh", dir.toString()));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        return new BackgroundJob(pb.start(), dir);
    }

    /** The job's pid, once the shell has started it. */
    public int pid() throws IOException, InterruptedException {
        Path f = dir.resolve("pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(f) ? Files.readString(f).strip() : "";
            if (!s.isEmpty()) {
                return Integer.parseInt(s);
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the shell did not start the job");
    }

    /** Sends {@code signal} ({@code INT}, {@code TERM}, ...) to the job, as {@code kill -INT PID} does. */
    public void kill(String signal) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    /** The job's exit status as the shell saw it, or -1 when it did not end within {@code seconds}. */
    public int waitFor(long seconds) throws IOException, InterruptedException {
        if (!shell.waitFor(seconds, TimeUnit.SECONDS)) {
            return -1;
        }
        return Integer.parseInt(Files.readString(dir.resolve("status")).strip());
    }

    public byte[] out() throws IOException {
        return Files.readAllBytes(dir.resolve("out"));
    }

    public String err() throws IOException {
        return Files.readString(dir.resolve("err"));
    }

    /** Ends the job if it still runs, and removes its files. */
    public void close() throws IOException {
        if (shell.isAlive()) {
            try {
                ProcessHandle.of(pid()).ifPresent(ProcessHandle::destroyForcibly);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shell.destroyForcibly();
        }
        for (String f : List.of("out", "err", "pid", "status")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }
}
