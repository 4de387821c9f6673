package io.probe4j.sys;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Starting a program so that the caller acts before its first instruction, without any other code
 * running in between: {@code posix_spawn} of a shell that stops itself, then {@link #seize} holds it
 * at the kernel/user boundary, where the caller sets up what it needs (breakpoints, a tracefs pid
 * filter) and injects {@code execve} of the program ({@link RemoteSyscall#execve}). The shell never
 * runs another command, so neither it nor its libc produces a probe hit of its own, and the program
 * gets its arguments and environment exactly, untouched by any shell.
 *
 * <p>The shell gives the program the signal dispositions of the command line: signals that were
 * ignored when probe4j started ({@link SignalState#originalIgnored()}) are ignored again before the
 * stop, as they survive {@code execve}.
 */
public final class HeldLaunch {
    private HeldLaunch() {
    }

    /**
     * Spawns the self-stopping shell and waits for its stop.
     *
     * @return its pid, a child of this process in a group-stop
     * @throws IllegalStateException when the shell ended instead (it was reaped)
     */
    public static int spawnStopped(Spawn.Stdio stdio) {
        return spawnStopped(stdio, null);
    }

    /**
     * As {@link #spawnStopped(Spawn.Stdio)}, with the shell (and so the program it becomes) in
     * {@code directory} ({@code null}: this process's working directory).
     */
    public static int spawnStopped(Spawn.Stdio stdio, Path directory) {
        int pid = Spawn.spawn("/bin/sh", List.of("/bin/sh", "-c", stopper(SignalState.originalIgnored(), directory)),
                Map.of("PATH", "/usr/bin:/bin"), stdio);
        WaitStatus ws = Wait.waitpid(pid, Wait.WUNTRACED).orElseThrow();
        if (!ws.stopped()) {
            throw new IllegalStateException("the launching shell did not stop itself: " + ws);
        }
        return pid;
    }

    /**
     * Seizes the stopped shell with {@code options} (which must include {@code TRACEEXEC}) and
     * continues it to the delivery of our SIGCONT: a clean stop at the user-mode boundary, where a
     * system call can be injected.
     *
     * @throws IllegalStateException when the shell ended instead (it was reaped)
     */
    public static void seize(int pid, Set<Ptrace.Option> options) {
        Ptrace.seize(pid, options);
        Signals.kill(pid, Signals.SIGCONT); // ends the group-stop; the shell re-traps first (seize of a stopped task)
        while (true) {
            WaitStatus ws = Wait.waitpid(pid);
            if (ws.dead()) {
                throw new IllegalStateException("the launching shell ended: " + ws);
            }
            if (ws.event() == 0 && ws.stopSig() == Signals.SIGCONT) {
                return;
            }
            Ptrace.cont(pid, 0);
        }
    }

    /**
     * {@code [cd -- DIR || exit 126;] trap '' N...; kill -STOP $$; exit 127}: never gets past the stop,
     * unless killed. The working directory survives the {@code execve}; the shell's own variables
     * ({@code PWD}) do not, as the program's environment is injected whole.
     */
    static String stopper(long ignored, Path directory) {
        StringJoiner sigs = new StringJoiner(" ");
        for (int sig = 1; sig <= 64; sig++) {
            if (SignalState.contains(ignored, sig) && sig != Signals.SIGKILL && sig != Signals.SIGSTOP) {
                sigs.add(Integer.toString(sig));
            }
        }
        String cd = directory == null ? "" : "cd -- '" + directory.toString().replace("'", "'\\''") + "' || exit 126; ";
        return cd + (sigs.length() == 0 ? "" : "trap '' " + sigs + "; ") + "kill -STOP $$; exit 127";
    }
}
