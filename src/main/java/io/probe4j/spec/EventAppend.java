package io.probe4j.spec;

import java.util.List;
import java.util.function.BiPredicate;

/**
 * What the kernel checks when a definition names an event that already exists
 * ({@code trace_probe_compare_arg_type} and the {@code append_trace_*probe} rules, the same for
 * uprobes and kprobes): the probe is appended to the event when it is of the same kind with the same
 * argument names and types, and not the very same probe again; a new name must not belong to an event
 * of another kind.
 */
final class EventAppend {
    private EventAppend() {
    }

    /**
     * @param existing  the events defined so far
     * @param sameProbe whether two definitions of one event are the very same probe (place and argument texts)
     * @param subsystem {@link SpecException#UPROBE} or {@link SpecException#KPROBE}, for the error_log
     * @throws SpecException with the kernel's message (EEXIST) when the kernel refuses
     */
    static <D extends EventDefinition> void check(List<D> existing, D d, BiPredicate<D, D> sameProbe, String subsystem,
                                                  List<String> words, BiPredicate<String, String> foreignEvents) {
        List<D> siblings = existing.stream().filter(p -> p.group().equals(d.group()) && p.event().equals(d.event())).toList();
        if (siblings.isEmpty()) {
            if (foreignEvents.test(d.group(), d.event())) {
                throw Parser.error(subsystem, KernelError.EVENT_EXIST, words, 0, 0, Errno.EEXIST);
            }
            return;
        }
        D first = siblings.getFirst();
        if (first.isReturn() != d.isReturn()) {
            throw Parser.error(subsystem, KernelError.DIFF_PROBE_TYPE, words, 0, 0, Errno.EEXIST);
        }
        int diff = firstDifferentArg(d.args(), first.args());
        if (diff > 0) {
            throw Parser.error(subsystem, KernelError.DIFF_ARG_TYPE, words, diff + 1, 0, Errno.EEXIST);
        }
        for (D s : siblings) {
            if (sameProbe.test(s, d)) {
                throw Parser.error(subsystem, KernelError.SAME_PROBE, words, 0, 0, Errno.EEXIST);
            }
        }
    }

    /** {@code trace_probe_compare_arg_type}: 1-based index of the first differing argument, or 0. */
    static int firstDifferentArg(List<FetchArg> a, List<FetchArg> b) {
        int na = a.size();
        int nb = b.size();
        if (na != nb) {
            return Math.min(na, nb) + 1;
        }
        for (int i = 0; i < na; i++) {
            FetchArg x = a.get(i);
            FetchArg y = b.get(i);
            if (!Types.key(x.type()).equals(Types.key(y.type())) || !x.name().equals(y.name())) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Whether two definitions' arguments were written the same (the kernel compares the texts). */
    static boolean sameArgTexts(EventDefinition a, EventDefinition b) {
        for (int i = 0; i < a.args().size(); i++) {
            if (!a.args().get(i).text().equals(b.args().get(i).text())) {
                return false;
            }
        }
        return true;
    }
}
