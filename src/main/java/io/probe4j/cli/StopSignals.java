package io.probe4j.cli;

import io.probe4j.sys.SignalState;
import io.probe4j.sys.Signals;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM end probe4j the way Ctrl-C does (shutdown hooks detach, restore and remove
 * tracefs state; exit status 128+N), also when they were ignored at start. A non-interactive shell
 * starts background commands with SIGINT ignored, and the JVM then installs no handler for it, so
 * {@code probe4j ... & kill -INT $!} (wrappers, CI jobs, {@code timeout -s INT}) would do nothing;
 * perf, bpftrace and strace stop there too. SIGHUP keeps an ignored disposition: that is what
 * {@code nohup} asks for. A launched program still gets the dispositions of the command line
 * ({@link io.probe4j.sys.HeldLaunch}).
 */
final class StopSignals {
    private StopSignals() {
    }

    static void install() {
        take(Signals.SIGINT, "INT");
        take(Signals.SIGTERM, "TERM");
    }

    private static void take(int sig, String name) {
        if (!SignalState.isIgnored(sig)) {
            return; // the JVM's own handler is in place: it exits with 128+N after the shutdown hooks
        }
        SignalState.setDefault(sig); // the JVM refuses to handle a signal that is ignored
        Signal.handle(new Signal(name), s -> System.exit(128 + s.getNumber()));
    }
}
