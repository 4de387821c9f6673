package io.probe4j.engine.trap;

import io.probe4j.sys.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a command untraced (the oracle) and traced, capturing standard output and the shell status. */
final class Runs {
    record Result(String stdout, int status) {
    }

    private Runs() {
    }

    static Result untraced(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(out, p.waitFor()); // the JDK reports a death by signal N as 128+N, like a shell
    }

    static Result traced(List<String> command, TraceHooks hooks) throws IOException, InterruptedException {
        Path out = Files.createTempFile("trap_out", ".txt");
        try {
            LaunchSpec spec = new LaunchSpec(new ArrayList<>(command), System.getenv(),
                    new Spawn.Stdio("/dev/null", out.toString(), "/dev/null"));
            try (TraceSession s = TraceSession.launch(spec, hooks)) {
                int status = s.waitFor().shellStatus();
                return new Result(Files.readString(out), status);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
