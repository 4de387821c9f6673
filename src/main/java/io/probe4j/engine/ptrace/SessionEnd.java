package io.probe4j.engine.ptrace;

/** How a trace session ended, from the traced command's point of view. */
public sealed interface SessionEnd {
    /** The status a shell would report: the exit code, {@code 128+N} for a death by signal N. */
    int shellStatus();

    /** The traced command exited with {@code code}. */
    record Exited(int code) implements SessionEnd {
        @Override
        public int shellStatus() {
            return code;
        }
    }

    /** The traced command was killed by {@code signal}. */
    record Killed(int signal, boolean coreDumped) implements SessionEnd {
        @Override
        public int shellStatus() {
            return 128 + signal;
        }
    }

    /** The tracer let go of the command, which goes on running untraced. */
    record Detached() implements SessionEnd {
        @Override
        public int shellStatus() {
            return 0;
        }
    }
}
