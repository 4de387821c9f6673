package io.probe4j.unwind;

import io.probe4j.ProbeInfo;
import io.probe4j.Tracer;
import io.probe4j.Launch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a fixture under the trap engine and unwinds the thread's stack at each hit of one probe. */
final class StackCapture {
    private StackCapture() {
    }

    /** The stacks at every hit of {@code probe} (built without handlers) in a run of {@code command}. */
    static List<UserStack> at(ProbeInfo.Builder probe, Unwinder unwinder, String... command) throws InterruptedException {
        List<UserStack> stacks = new ArrayList<>();
        Path quiet = Path.of("/dev/null");
        try (Tracer t = Tracer.launch(Launch.of(command).withStdin(quiet).withStdout(quiet).withStderr(quiet))) {
            t.register(probe.preHandler(ctx -> stacks.add(unwinder.unwind(RegisterFile.of(ctx::register), ctx::readAvailable,
                    ctx.pid()))).build());
            t.run();
        }
        return stacks;
    }
}
