package io.probe4j.sys;

/**
 * What {@code waitpid} reported for {@code pid}: the raw status word with the {@code W*} macros
 * as methods, plus the ptrace event ({@code status >> 16}).
 */
public record WaitStatus(int pid, int status) {
    public boolean exited() {
        return (status & 0x7f) == 0;
    }

    public int exitCode() {
        return (status >> 8) & 0xff;
    }

    public boolean signaled() {
        int low = status & 0x7f;
        return low != 0 && low != 0x7f;
    }

    public int termSig() {
        return status & 0x7f;
    }

    public boolean coreDumped() {
        return signaled() && (status & 0x80) != 0;
    }

    public boolean stopped() {
        return (status & 0xff) == 0x7f;
    }

    public int stopSig() {
        return (status >> 8) & 0xff;
    }

    /** The {@code PTRACE_EVENT_*} of a ptrace event stop, 0 for a signal-delivery-stop. */
    public int event() {
        return (status >> 16) & 0xff;
    }

    public boolean continued() {
        return status == 0xffff;
    }

    /** The task is gone (exited or killed by a signal). */
    public boolean dead() {
        return exited() || signaled();
    }

    @Override
    public String toString() {
        if (exited()) {
            return pid + " exited " + exitCode();
        }
        if (signaled()) {
            return pid + " killed by " + Signals.name(termSig()) + (coreDumped() ? " (core dumped)" : "");
        }
        if (stopped()) {
            return pid + " stopped " + Signals.name(stopSig() & 0x7f) + (event() != 0 ? " event " + event() : "");
        }
        return pid + " status 0x" + Integer.toHexString(status);
    }
}
