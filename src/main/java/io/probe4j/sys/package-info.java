/**
 * Linux through the FFM API: the only package that touches {@code java.lang.foreign}.
 *
 * <p>Each class is one kernel facility with plain Java types at its surface:
 * {@link io.probe4j.sys.Ptrace} (requests), {@link io.probe4j.sys.Wait} ({@code waitpid}/{@code waitid},
 * always {@code __WALL|__WNOTHREAD}), {@link io.probe4j.sys.ProcessMemory} ({@code process_vm_readv/writev},
 * {@code /proc/PID/mem} for read-only pages), {@link io.probe4j.sys.Procfs} and {@link io.probe4j.sys.Mapping}
 * ({@code /proc} readers), {@link io.probe4j.sys.Spawn} ({@code posix_spawn}), {@link io.probe4j.sys.Signals},
 * {@link io.probe4j.sys.Clock}, {@link io.probe4j.sys.RemoteSyscall} (system calls run inside a tracee),
 * and the register table {@link io.probe4j.sys.Reg}/{@link io.probe4j.sys.UserRegs}. Every failed call
 * throws {@link io.probe4j.sys.SysException} naming the call, the errno and what was being done.
 *
 * <p>Downcalls capture {@code errno} with {@code Linker.Option.captureCallState} into a per-thread
 * scratch area, so a call allocates nothing on the native side.
 */
package io.probe4j.sys;
