package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.Origin;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Hooks that write down what they were told, in order (e.g. {@code LAUNCHED}, {@code FORKED}, {@code trap -6}). */
class RecordingHooks implements TraceHooks {
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public TrapAction onTrap(StoppedThread thread, Trap trap) {
        seen.add("trap " + trap.info().code());
        return TrapAction.DELIVER;
    }

    @Override
    public void onNewProcess(StoppedProcess process, Origin origin, int parentPid) {
        seen.add(origin.name());
    }

    @Override
    public void beforeDetach(StoppedProcess process) {
        seen.add("detach");
    }

    @Override
    public void onProcessExit(int pid) {
        seen.add("exit");
    }
}
