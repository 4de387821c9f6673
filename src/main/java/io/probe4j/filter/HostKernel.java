package io.probe4j.filter;

import io.probe4j.spec.KernelSymbols;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What a filter's meaning depends on beyond its event: the number of CPU ids ({@code nr_cpu_ids}, which
 * bounds {@code CPUS{...}}) and the kernel's symbols (for {@code .function}), read only when needed.
 *
 * @param nrCpuIds the highest possible CPU number plus one
 * @param symbols  the kernel's symbol table
 */
public record HostKernel(int nrCpuIds, Supplier<KernelSymbols> symbols) {
    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private static HostKernel running;

    /** This machine's kernel: {@code /sys/devices/system/cpu/possible} and {@code /proc/kallsyms} (read once, when needed). */
    public static synchronized HostKernel running() {
        if (running == null) {
            running = read();
        }
        return running;
    }

    private static HostKernel read() {
        return new HostKernel(nrCpuIds(POSSIBLE), new Supplier<>() {
            private KernelSymbols table;

            @Override
            public synchronized KernelSymbols get() {
                if (table == null) {
                    // only kallsyms matters here (available_filter_functions may be unreadable: EPERM on
                    // a kernel whose ftrace is locked down)
                    table = KernelSymbols.Table.read(Path.of("/proc/kallsyms"), Path.of("/nonexistent"), POSSIBLE);
                }
                return table;
            }
        });
    }

    /** The last CPU of a list like {@code 0-3,8-11}, plus one. */
    static int nrCpuIds(Path possible) {
        try {
            String list = Files.readString(possible).trim();
            String last = list.substring(Math.max(list.lastIndexOf(','), list.lastIndexOf('-')) + 1);
            return Integer.parseInt(last) + 1;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
