package io.probe4j.engine.trap;

import io.probe4j.UserException;
import io.probe4j.sys.Errno;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.SysException;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** How a session gets its first process: launching a command, or attaching to a running process. Tracer thread only. */
final class Starts {
    private Starts() {
    }

    /**
     * A shell that stops itself, so that it can be seized before anything of the program runs. It
     * never runs the program itself: the tracer makes it call {@code execve} with the exact
     * arguments and environment (see {@link #launch}), so no shell touches either.
     */
    private static final String STOPPER = "kill -STOP $$; exit 127";

    /**
     * Starts the command: posix_spawn of a self-stopping shell (so the JVM does not fork and the
     * JDK's reaper, which waits only for its own pids, never sees it), seize it in its stop, continue
     * it to the delivery of that SIGCONT, and there inject {@code execve(program, argv, envp)}. The
     * program's {@code EXEC} event goes to the loop, whose {@code exec()} calls the hooks
     * ({@link Origin#LAUNCHED}) and completes {@code ready}.
     */
    static void launch(TracerLoop loop, LaunchSpec spec) {
        String program = spec.program().toString();
        int pid = Spawn.spawn("/bin/sh", List.of("/bin/sh", "-c", STOPPER), Map.of("PATH", "/usr/bin:/bin"), spec.stdio());
        loop.spawnedChild = pid;
        WaitStatus ws = Wait.waitpid(pid, Wait.WUNTRACED).orElseThrow();
        if (!ws.stopped()) {
            loop.rootReaped = true;
            throw new IllegalStateException("the launching shell did not stop itself: " + ws);
        }
        Ptrace.seize(pid, TracerLoop.OPTIONS);
        Signals.kill(pid, Signals.SIGCONT); // ends the group-stop; the shell re-traps first (seize of a stopped task)
        do {
            ws = Wait.waitpid(pid);
            if (ws.dead()) {
                loop.rootReaped = true;
                throw new IllegalStateException("the launching shell ended: " + ws);
            }
            if (ws.event() == 0 && ws.stopSig() == Signals.SIGCONT) {
                break; // our SIGCONT, about to be delivered: a clean stop at the user-mode boundary
            }
            Ptrace.cont(pid, 0);
        } while (true);
        List<String> env = spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        TracedProcess p = loop.addProcess(pid, true);
        p.launching = true;
        loop.addThread(pid, p);
        WaitStatus exec;
        try {
            exec = p.syscalls.execve(pid, program, spec.command(), env);
        } catch (SysException e) {
            Signals.kill(pid, Signals.SIGKILL);
            throw new UserException("cannot run " + program + ": " + e.errnoName());
        }
        loop.dispatch(exec);
    }

    static void attach(TracerLoop loop, int pid) {
        List<Integer> first;
        try {
            first = Procfs.tasks(pid);
        } catch (SysException e) {
            throw new UserException("cannot attach to process " + pid + ": no such process");
        }
        if (Procfs.ppid(pid) == ProcessHandle.current().pid()) {
            // the kernel lets any thread of a child's parent process wait for it as if it were the
            // tracer: the JDK's reaper thread, blocked in waitpid(pid), would take our ptrace stops
            throw new UserException("cannot attach to process " + pid
                    + ": it is a child of this JVM, whose process reaper would take its ptrace stops;"
                    + " launch it through the session instead");
        }
        TracedProcess p = loop.addProcess(pid, true);
        p.holds = 1;
        Set<Integer> seen = new HashSet<>();
        boolean more = !first.isEmpty();
        while (more) { // threads may be born while we seize: list again until nothing is new
            more = false;
            for (int tid : Procfs.tasks(pid)) {
                if (!seen.add(tid)) {
                    continue;
                }
                more = true;
                try {
                    Ptrace.seize(tid, TracerLoop.OPTIONS);
                } catch (SysException e) {
                    if (e.errno() == Errno.ESRCH) {
                        continue; // exited meanwhile
                    }
                    if (e.errno() != Errno.EPERM || p.threads.isEmpty()) {
                        loop.processes.remove(pid);
                        throw new UserException("cannot attach to process " + pid + ": " + e.getMessage()
                                + (e.errno() == Errno.EPERM ? " (is it traced already?)" : ""));
                    }
                    // EPERM for a later thread: a seized thread cloned it and it is auto-attached already
                }
                if (!loop.tracees.containsKey(tid)) {
                    loop.addThread(tid, p);
                }
            }
        }
        for (Tracee t : List.copyOf(p.threads.values())) {
            loop.interrupt(t);
        }
        loop.awaitAllStopped(p);
        if (loop.processes.containsKey(pid)) {
            loop.hooks.onNewProcess(new StoppedProcess(p, loop), Origin.ATTACHED, 0);
        }
        loop.release(p);
        loop.ready.complete(pid);
    }
}
