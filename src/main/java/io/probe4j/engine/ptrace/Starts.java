package io.probe4j.engine.ptrace;

import io.probe4j.error.UserException;
import io.probe4j.sys.Errno;
import io.probe4j.sys.HeldLaunch;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Signals;
import io.probe4j.sys.SysException;
import io.probe4j.sys.WaitStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** How a session gets its first process: launching a command, or attaching to a running process. Tracer thread only. */
final class Starts {
    private Starts() {
    }

    /**
     * Starts the command: a self-stopping shell held at the user-mode boundary ({@link HeldLaunch}),
     * where {@code execve(program, argv, envp)} is injected with the exact arguments and environment,
     * so no shell touches either. The program's {@code EXEC} event goes to the loop, whose
     * {@code exec()} calls the hooks ({@link Origin#LAUNCHED}) and completes {@code ready}.
     */
    static void launch(TracerLoop loop, LaunchSpec spec) {
        String program = spec.program().toString();
        int pid;
        try {
            pid = HeldLaunch.spawnStopped(spec.stdio(), spec.directory());
            loop.spawnedChild = pid;
            HeldLaunch.seize(pid, loop.options());
        } catch (IllegalStateException e) {
            loop.rootReaped = true;
            throw e;
        }
        TracedProcess p = loop.addProcess(pid, true);
        p.launching = true;
        loop.addThread(pid, p);
        WaitStatus exec;
        try {
            exec = p.syscalls.execve(pid, program, spec.command(), spec.env());
        } catch (SysException e) {
            Signals.kill(pid, Signals.SIGKILL);
            throw new UserException("cannot run " + program + ": " + e.errnoName());
        }
        loop.dispatch(exec);
    }

    static void attach(TracerLoop loop, int pid) {
        io.probe4j.sys.Phase.mark("seizing");
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
                    Ptrace.seize(tid, loop.options());
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
