package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.Origin;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.UserRegs;
import java.util.Arrays;
import java.util.List;

/**
 * A JVM that traces a command (for {@link ShutdownDetachTest}): {@code TraceMain OUTFILE HEXADDR CMD...}
 * launches CMD with its output in OUTFILE, puts an {@code int3} at link-time address HEXADDR of CMD
 * (removed again before detaching, and stepped over should the program get there while traced),
 * prints "traced PID" and waits for the session's end.
 */
public final class TraceMain {
    private TraceMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> cmd = Arrays.asList(args).subList(2, args.length);
        long linkAddr = Long.parseLong(args[1], 16);
        LaunchSpec spec = new LaunchSpec(cmd, System.getenv(), new Spawn.Stdio("/dev/null", args[0], "/dev/null"));
        TraceHooks oneBreakpoint = new TraceHooks() {
            long addr;
            byte saved;
            boolean inserted;

            @Override
            public void onNewProcess(StoppedProcess p, Origin origin, int parentPid) {
                if (origin == Origin.LAUNCHED) {
                    Mapping base = p.maps().stream().filter(m -> m.path().equals(cmd.getFirst()) && m.offset() == 0)
                            .findFirst().orElseThrow();
                    addr = base.start() + linkAddr; // PIE: linked at 0
                    saved = p.memory().readFully(addr, 1)[0];
                    p.memory().write(addr, new byte[] {(byte) 0xcc});
                    inserted = true;
                }
            }

            @Override
            public TrapAction onTrap(StoppedThread t, Trap trap) {
                if (!inserted || trap.ip() != addr + 1) {
                    return TrapAction.DELIVER;
                }
                remove(t.memory());
                UserRegs r = t.regs();
                t.setRegs(r.set(io.probe4j.sys.Reg.IP, addr));
                return TrapAction.RESUME;
            }

            @Override
            public void beforeDetach(StoppedProcess p) {
                remove(p.memory());
            }

            private void remove(io.probe4j.sys.ProcessMemory m) {
                if (inserted) {
                    m.write(addr, new byte[] {saved});
                    inserted = false;
                }
            }
        };
        TraceSession s = TraceSession.launch(spec, oneBreakpoint);
        System.out.println("traced " + s.pid());
        System.out.flush();
        System.exit(s.waitFor().shellStatus());
    }
}
