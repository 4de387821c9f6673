package io.probe4j.engine.inline;

import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.sys.RemoteSyscall;

/** System calls run inside a traced process: through any of its stopped threads, or through one stopped thread. */
interface Remote {
    long mmapNear(long near, long len, String name);

    long syscall(String name, String doing, int nr, long... args);

    static Remote of(StoppedProcess p) {
        return new Remote() {
            public long mmapNear(long near, long len, String name) {
                return p.mmapNear(near, len, name);
            }

            public long syscall(String name, String doing, int nr, long... args) {
                return p.syscall(name, doing, nr, args);
            }
        };
    }

    static Remote of(StoppedThread t) {
        RemoteSyscall r = new RemoteSyscall(t.pid(), t.memory());
        return new Remote() {
            public long mmapNear(long near, long len, String name) {
                return r.mmapNear(t.tid(), near, len, name);
            }

            public long syscall(String name, String doing, int nr, long... args) {
                return r.invoke(t.tid(), name, doing, nr, args);
            }
        };
    }
}
