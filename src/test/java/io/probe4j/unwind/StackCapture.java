package io.probe4j.unwind;

import io.probe4j.ProbeInfo;
import io.probe4j.Tracer;
import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Spawn;
import java.util.ArrayList;
import java.util.List;

/** Runs a fixture under the trap engine and unwinds the thread's stack at each hit of one probe. */
final class StackCapture {
    private StackCapture() {
    }

    /** The stacks at every hit of {@code probe} (built without handlers) in a run of {@code command}. */
    static List<UserStack> at(ProbeInfo.Builder probe, Unwinder unwinder, String... command) throws InterruptedException {
        List<UserStack> stacks = new ArrayList<>();
        LaunchSpec spec = new LaunchSpec(List.of(command), System.getenv(), new Spawn.Stdio("/dev/null", "/dev/null", "/dev/null"));
        try (Tracer t = Tracer.launch(spec)) {
            t.register(probe.preHandler(ctx -> stacks.add(unwinder.unwind(RegisterFile.of(ctx.hit()::register), ctx.hit().memory()::read,
                    Procfs.maps(ctx.pid())))).build());
            t.run();
        }
        return stacks;
    }
}
