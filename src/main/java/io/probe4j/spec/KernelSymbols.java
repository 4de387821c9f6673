package io.probe4j.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a kernel's symbol table says, as far as {@code kprobe_events} checks it: whether a probed
 * symbol exists and is unique ({@code kallsyms}), whether a module is loaded, whether a function
 * starts with the 5-byte ftrace call (so offsets 1 to 4 are inside one instruction), where a data
 * symbol is ({@code @SYM}), and how many CPUs the kernel may have (a kretprobe's default
 * MAXACTIVE). Replaceable so that tests can describe another kernel (the kprobe VM's).
 */
public interface KernelSymbols {

    /** One entry of {@code /proc/kallsyms}. */
    record Entry(String name, long address, char type, String module) {
        boolean isText() {
            return type == 't' || type == 'T';
        }
    }

    /** Entries named {@code name}; only those of {@code module} when it is not null. */
    List<Entry> lookup(String module, String name);

    /** Whether {@code module} is loaded. */
    boolean moduleLoaded(String module);

    /** Whether the function {@code name} is traced by ftrace (listed in {@code available_filter_functions}). */
    boolean ftraced(String name);

    /** {@code num_possible_cpus()}. */
    int possibleCpus();

    /**
     * The text symbol whose code contains {@code address} (the last one starting at or below it, when the
     * next one starts above it), if one is known.
     */
    Optional<Entry> functionContaining(long address);

    /** {@code kallsyms_lookup_name}: the first entry's address, for {@code @SYM}. */
    default OptionalLong address(String name) {
        List<Entry> e = lookup(null, name);
        return e.isEmpty() ? OptionalLong.empty() : OptionalLong.of(e.getFirst().address());
    }

    /** A kernel about which nothing is known: every symbol exists once, no module is loaded, no ftrace. */
    KernelSymbols UNKNOWN = new KernelSymbols() {
        @Override
        public List<Entry> lookup(String module, String name) {
            return List.of(new Entry(name, 0, 'T', module));
        }

        @Override
        public boolean moduleLoaded(String module) {
            return false;
        }

        @Override
        public boolean ftraced(String name) {
            return false;
        }

        @Override
        public int possibleCpus() {
            return 1;
        }

        @Override
        public Optional<Entry> functionContaining(long address) {
            return Optional.empty();
        }
    };

    /**
     * The running kernel: {@code /proc/kallsyms} (addresses need root), {@code available_filter_functions}
     * under tracefs and {@code /sys/devices/system/cpu/possible}. Read once.
     */
    static KernelSymbols running() {
        return Table.read(Path.of("/proc/kallsyms"), Path.of("/sys/kernel/tracing/available_filter_functions"),
                Path.of("/sys/devices/system/cpu/possible"));
    }

    /** A symbol table read from files in the formats of kallsyms, available_filter_functions and cpu/possible. */
    final class Table implements KernelSymbols {
        private final Map<String, List<Entry>> byName = new HashMap<>();
        private final TreeMap<Long, Entry> functions = new TreeMap<>();
        private final Set<String> modules = new HashSet<>();
        private final Set<String> traced = new HashSet<>();
        private final int cpus;

        /**
         * @param entries the symbols
         * @param loaded  the loaded modules (modules with symbols among {@code entries} count as loaded too)
         * @param ftraced the functions ftrace traces
         * @param cpus    possible CPUs
         */
        public Table(List<Entry> entries, Set<String> loaded, Set<String> ftraced, int cpus) {
            modules.addAll(loaded);
            for (Entry e : entries) {
                byName.computeIfAbsent(e.name(), k -> new java.util.ArrayList<>()).add(e);
                if (e.module() != null) {
                    modules.add(e.module());
                }
                if (e.isText() && e.address() != 0) {
                    functions.putIfAbsent(e.address() ^ Long.MIN_VALUE, e);
                }
            }
            traced.addAll(ftraced);
            this.cpus = cpus;
        }

        public static Table read(Path kallsyms, Path filterFunctions, Path possible) {
            List<Entry> entries = new java.util.ArrayList<>();
            for (String l : linesOf(kallsyms)) {
                String[] f = l.split("\\s+");
                if (f.length < 3 || f[1].isEmpty() || !f[0].matches("[0-9a-fA-F]{1,16}")) {
                    continue; // not a symbol line: skip it, not the rest of the table
                }
                String module = f.length >= 4 && f[3].startsWith("[") ? f[3].substring(1, f[3].length() - 1) : null;
                entries.add(new Entry(f[2], Long.parseUnsignedLong(f[0], 16), f[1].charAt(0), module));
            }
            Set<String> ftraced = new HashSet<>();
            for (String l : linesOf(filterFunctions)) {
                ftraced.add(l.split("\\s+")[0]);
            }
            return new Table(entries, Set.of(), ftraced, parsePossible(possible));
        }

        /**
         * The lines of a kernel file; none when it cannot be read: tracefs not mounted, a kernel without the
         * feature, or one that refuses (with ftrace disabled after a kernel warning,
         * {@code available_filter_functions} gives EPERM even to root). What is unknown then is looked up
         * as absent, as the kernel itself would find it.
         */
        private static List<String> linesOf(Path file) {
            try {
                return Files.readAllLines(file);
            } catch (IOException e) {
                return List.of();
            }
        }

        /** {@code 0-3,8-11} style CPU lists. */
        static int parsePossible(Path possible) {
            try {
                return countCpus(Files.readString(possible).trim());
            } catch (IOException | RuntimeException e) {
                return Runtime.getRuntime().availableProcessors();
            }
        }

        /** The number of CPUs in a list like {@code 0-3,8-11}. */
        public static int countCpus(String list) {
            int n = 0;
            for (String part : list.split(",")) {
                String[] r = part.split("-");
                n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
            }
            return n;
        }

        @Override
        public List<Entry> lookup(String module, String name) {
            List<Entry> all = byName.getOrDefault(name, List.of());
            return module == null ? all : all.stream().filter(e -> module.equals(e.module())).toList();
        }

        @Override
        public boolean moduleLoaded(String module) {
            return modules.contains(module);
        }

        @Override
        public boolean ftraced(String name) {
            return traced.contains(name);
        }

        @Override
        public int possibleCpus() {
            return cpus;
        }

        @Override
        public Optional<Entry> functionContaining(long address) {
            // Kernel addresses are "negative" as Java longs; compare them unsigned by flipping the sign bit.
            Map.Entry<Long, Entry> e = functions.floorEntry(address ^ Long.MIN_VALUE);
            return e == null ? Optional.empty() : Optional.of(e.getValue());
        }
    }
}
