package io.probe4j.engine.kernel;

import io.probe4j.error.UserException;
import io.probe4j.sys.Environment;
import io.probe4j.sys.HeldLaunch;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.RemoteSyscall;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.SysException;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * Starts a command held at a gate, so its pid can be given to the kernel's pid filter before it runs
 * a single instruction: a shell that has stopped itself ({@link HeldLaunch}) is held until
 * {@link #release()} makes it {@code execve} the program under the same pid, through ptrace, and
 * lets go of it at once. The shell runs no code after the filter is set, so the only hits the
 * session sees are the program's and its descendants'. The program gets the exact arguments,
 * environment (this JVM's, byte for byte), standard streams and signal dispositions it would get
 * from the command line.
 *
 * <p>A child's ptrace stops and exit are reported to the thread that spawned it: every method must
 * be called from the thread that called {@link #start}.
 */
final class GatedLaunch {
    private final int pid;
    private final Path program;
    private final List<String> command;
    private boolean reaped;

    private GatedLaunch(int pid, Path program, List<String> command) {
        this.pid = pid;
        this.program = program;
        this.command = command;
    }

    static GatedLaunch start(List<String> command) {
        Path program = runnable(command.getFirst());
        return new GatedLaunch(HeldLaunch.spawnStopped(Spawn.Stdio.INHERIT), program, List.copyOf(command));
    }

    /** A missing program is the user's mistake: say so like a shell would, before any tracing starts. */
    private static Path runnable(String program) {
        if (program.contains("/")) {
            if (!Files.isExecutable(Path.of(program)) || Files.isDirectory(Path.of(program))) {
                throw new UserException("probe4j: cannot run " + program + ": no such executable file", 127);
            }
            return Path.of(program);
        }
        String path = Environment.inherited().get("PATH").orElse("/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        throw new UserException("probe4j: " + program + ": command not found", 127);
    }

    long pid() {
        return pid;
    }

    /** Lets the program run: {@code execve} in the held shell, then detach. */
    void release() {
        try {
            HeldLaunch.seize(pid, EnumSet.of(Ptrace.Option.TRACEEXEC));
        } catch (IllegalStateException e) {
            reaped = true;
            throw e;
        }
        try (ProcessMemory memory = new ProcessMemory(pid)) {
            new RemoteSyscall(pid, memory).execve(pid, program.toString(), command, Environment.inherited());
        } catch (SysException e) {
            abandon();
            throw new UserException("probe4j: cannot run " + program + ": " + e.errnoName(), 126);
        }
        Ptrace.detach(pid, 0); // in its exec stop: the program's first instruction is next
    }

    /** Kills the gated command without letting it run (the session could not start). */
    void abandon() {
        if (!reaped) {
            Signals.kill(pid, Signals.SIGKILL);
            Wait.waitpid(pid);
            reaped = true;
        }
    }

    /** Waits for the program; its exit status, 128+N when signal N killed it. */
    int waitFor() {
        WaitStatus ws;
        do {
            ws = Wait.waitpid(pid);
        } while (!ws.dead());
        reaped = true;
        return ws.exited() ? ws.exitCode() : 128 + ws.termSig();
    }
}
