package io.probe4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * {@code posix_spawn(3)}: starts a program without forking the JVM (glibc uses
 * {@code clone(CLONE_VM|CLONE_VFORK)} and {@code execve}). The child's parent is the calling
 * <em>thread</em>, so a tracer thread can wait for it with {@code __WNOTHREAD} while the JDK's
 * process reaper, which only waits for pids it spawned itself, never sees it.
 * Standard input, output and error are inherited. The child's signal mask is the one this process
 * was started with ({@link SignalState#originalBlocked()}), not the spawning thread's, and every
 * signal that was not ignored then gets its default action: glibc would otherwise leave its two
 * internal signals (32 and 33) ignored in the child, and that survives {@code execve}.
 */
public final class Spawn {
    private static final MethodHandle SPAWN = Native.call("posix_spawn", FunctionDescriptor.of(Native.INT,
            Native.PTR, Native.PTR, Native.PTR, Native.PTR, Native.PTR, Native.PTR));
    private static final MethodHandle ATTR_INIT = Native.call("posix_spawnattr_init",
            FunctionDescriptor.of(Native.INT, Native.PTR));
    private static final MethodHandle ATTR_DESTROY = Native.call("posix_spawnattr_destroy",
            FunctionDescriptor.of(Native.INT, Native.PTR));
    private static final MethodHandle ATTR_FLAGS = Native.call("posix_spawnattr_setflags",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.SHORT));
    private static final MethodHandle ATTR_SIGMASK = Native.call("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.PTR));
    private static final MethodHandle ATTR_SIGDEFAULT = Native.call("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.PTR));
    private static final MethodHandle ACTIONS_INIT = Native.call("posix_spawn_file_actions_init",
            FunctionDescriptor.of(Native.INT, Native.PTR));
    private static final MethodHandle ACTIONS_DESTROY = Native.call("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(Native.INT, Native.PTR));
    private static final MethodHandle ACTIONS_OPEN = Native.call("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.INT, Native.PTR, Native.INT, Native.INT));
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    private static final long UNCATCHABLE = 1L << (Signals.SIGKILL - 1) | 1L << (Signals.SIGSTOP - 1);
    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200;

    /**
     * Where the child's standard streams go: {@code null} inherits the JVM's; a path is opened
     * (input read-only; output created or truncated).
     */
    public record Stdio(String in, String out, String err) {
        public static final Stdio INHERIT = new Stdio(null, null, null);
        public static final Stdio NULL = new Stdio("/dev/null", "/dev/null", "/dev/null");
    }

    private Spawn() {
    }

    /**
     * Starts {@code path} with {@code argv} (argv[0] included) and the environment {@code env}.
     *
     * @return the child's pid
     */
    public static int spawn(String path, List<String> argv, Map<String, String> env) {
        return spawn(path, argv, Environment.of(env), Stdio.INHERIT);
    }

    /** As {@link #spawn(String, List, Map)}, with standard streams redirected as {@code stdio} says. */
    public static int spawn(String path, List<String> argv, Map<String, String> env, Stdio stdio) {
        return spawn(path, argv, Environment.of(env), stdio);
    }

    /** As {@link #spawn(String, List, Map, Stdio)}, with the environment exactly as {@code env} holds it. */
    public static int spawn(String path, List<String> argv, Environment env, Stdio stdio) {
        return spawn(path, argv, env, stdio, false);
    }

    /**
     * As {@link #spawn(String, List, Environment, Stdio)}, in a session of its own ({@code setsid}): no
     * terminal's Ctrl-C or hang-up reaches it, and it outlives this process's group.
     */
    public static int spawnDetached(String path, List<String> argv, Environment env, Stdio stdio) {
        return spawn(path, argv, env, stdio, true);
    }

    private static int spawn(String path, List<String> argv, Environment env, Stdio stdio, boolean newSession) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment actions = a.allocate(512, 16); // posix_spawn_file_actions_t is 80 bytes
            check((int) ACTIONS_INIT.invokeExact(actions), "posix_spawn_file_actions_init", path);
            try {
                open(a, actions, 0, stdio.in(), O_RDONLY, path);
                open(a, actions, 1, stdio.out(), O_WRONLY | O_CREAT | O_TRUNC, path);
                open(a, actions, 2, stdio.err(), O_WRONLY | O_CREAT | O_TRUNC, path);
                return spawn(a, path, argv, env, actions, newSession);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void open(Arena a, MemorySegment actions, int fd, String file, int flags, String path) throws Throwable {
        if (file != null) {
            check((int) ACTIONS_OPEN.invokeExact(actions, fd, a.allocateFrom(file), flags, 0644),
                    "posix_spawn_file_actions_addopen", path + " with fd " + fd + " on " + file);
        }
    }

    private static int spawn(Arena a, String path, List<String> argv, Environment env, MemorySegment actions,
                             boolean newSession) {
        try {
            MemorySegment attr = a.allocate(1024, 16); // glibc's posix_spawnattr_t is 336 bytes
            MemorySegment mask = a.allocate(128, 8); // sigset_t: signal N is bit N-1
            mask.set(Native.LONG, 0, SignalState.originalBlocked());
            MemorySegment defaults = a.allocate(128, 8);
            defaults.set(Native.LONG, 0, ~(SignalState.originalIgnored() | UNCATCHABLE));
            check((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init", path);
            try {
                check((int) ATTR_SIGMASK.invokeExact(attr, mask), "posix_spawnattr_setsigmask", path);
                check((int) ATTR_SIGDEFAULT.invokeExact(attr, defaults), "posix_spawnattr_setsigdefault", path);
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? POSIX_SPAWN_SETSID : 0));
                check((int) ATTR_FLAGS.invokeExact(attr, flags),
                        "posix_spawnattr_setflags", path);
                MemorySegment pid = a.allocate(Native.INT);
                MemorySegment argvC = strings(a, argv);
                MemorySegment envC = environment(a, env);
                int rc = (int) SPAWN.invokeExact(pid, a.allocateFrom(path), actions, attr, argvC, envC);
                check(rc, "posix_spawn", path);
                return pid.get(Native.INT, 0);
            } finally {
                int ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void check(int rc, String call, String path) {
        if (rc != 0) {
            throw new SysException(call, rc, "starting " + path);
        }
    }

    /** {@code env} as a NULL-terminated {@code char *[]}, byte for byte. */
    private static MemorySegment environment(Arena a, Environment env) {
        MemorySegment arr = a.allocate(Native.PTR, env.size() + 1L);
        for (int i = 0; i < env.size(); i++) {
            byte[] e = env.entry(i);
            MemorySegment s = a.allocate(e.length + 1L);
            MemorySegment.copy(e, 0, s, Native.BYTE, 0, e.length);
            arr.setAtIndex(Native.PTR, i, s);
        }
        arr.setAtIndex(Native.PTR, env.size(), MemorySegment.NULL);
        return arr;
    }

    /** A NULL-terminated {@code char *[]}. */
    private static MemorySegment strings(Arena a, List<String> list) {
        MemorySegment arr = a.allocate(Native.PTR, list.size() + 1L);
        for (int i = 0; i < list.size(); i++) {
            arr.setAtIndex(Native.PTR, i, a.allocateFrom(list.get(i)));
        }
        arr.setAtIndex(Native.PTR, list.size(), MemorySegment.NULL);
        return arr;
    }
}
