package io.probe4j.trigger;

import io.probe4j.filter.EventFields;
import io.probe4j.spec.Errno;
import io.probe4j.spec.KernelNumbers;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code hist:} trigger read as {@code event_hist_trigger_parse()} reads it: the {@code if} split, the
 * attributes ({@code parse_hist_trigger_attrs()}), then values, keys and sort keys
 * ({@code create_val_fields()}, {@code create_key_fields()}, {@code create_sort_keys()}), with the kernel's
 * order of checks, its {@code error_log} messages and their positions (the kernel's {@code errpos()}: the
 * first place the offending text occurs in the command), and its errnos where it logs nothing.
 *
 * <p>Not taken (the kernel takes them; probe4j refuses them by name): variables and {@code $} references,
 * expressions ({@code a+b}), actions ({@code onmatch()}, ...), the {@code stacktrace} key, {@code .syscall},
 * a string as a value or with {@code .log2}/{@code .buckets} (the kernel would use the string's address).
 */
final class HistParser {
    /** {@code TRACING_MAP_KEYS_MAX}, {@code TRACING_MAP_VALS_MAX}, {@code TRACING_MAP_VARS_MAX}. */
    private static final int KEYS_MAX = 3;
    private static final int VALS_MAX = 3;
    private static final int VARS_MAX = 16;
    private static final int ACTIONS_MAX = 8;
    /** {@code HIST_KEY_SIZE_MAX}: a string and a stack trace. */
    private static final int KEY_SIZE_MAX = HistField.MAX_STRING + 16 * 8;
    private static final int BITS_DEFAULT = 11;
    private static final List<String> CLOCKS = List.of("local", "global", "perf", "mono", "mono_raw", "boot", "tai");
    private static final List<String> CLOCKS_NOT_NS = List.of("counter", "uptime", "x86-tsc");

    private final String trigger;
    private final String command;
    private final String location;
    private final HistFieldReader reader;

    private HistParser(String trigger, String paramAndFilter, EventFields fields, String location) {
        this.trigger = trigger;
        this.command = "hist:" + paramAndFilter;
        this.location = location;
        this.reader = new HistFieldReader(trigger, fields, this);
    }

    /** The spec and condition text (null if none) of {@code hist:PARAM_AND_FILTER} on event {@code group:event}. */
    record Parsed(HistSpec spec, String condition) {
    }

    static Parsed parse(String trigger, String paramAndFilter, EventFields fields, String group, String event) {
        if (paramAndFilter == null) {
            throw TriggerException.silent(trigger, "hist needs its keys: hist:keys=FIELD", Errno.EINVAL);
        }
        return new HistParser(trigger, paramAndFilter, fields, "hist:" + group + ":" + event).parse(paramAndFilter);
    }

    private Parsed parse(String paf) {
        String param = paf;
        String condition = null;
        int at = ifAt(paf);
        if (at >= 0) {
            condition = CText.strim(paf.substring(at));
            param = CText.strim(paf.substring(0, at - 1));
        }
        // the kernel turns .sym-offset into .symXoffset, so that its '-' is not a minus
        param = param.replace(".sym-offset", ".symXoffset");
        Attrs a = attrs(param);
        if (!a.actions.isEmpty()) {
            throw TriggerException.unsupported(trigger, "hist actions (" + a.actions.getFirst() + ") are not supported by probe4j");
        }
        if (!a.assignments.isEmpty()) {
            throw TriggerException.unsupported(trigger, "hist variables (" + a.assignments.getFirst() + ") are not supported by probe4j");
        }
        List<HistField> values = values(a.vals);
        List<HistField> keys = keys(a.keys);
        List<HistSpec.SortKey> sort = sortKeys(a.sort, HistSpec.fields(values, keys));
        String clock = a.clock == null ? "global" : a.clock;
        HistSpec spec = new HistSpec(keys, values, sort, a.mapBits == 0 ? BITS_DEFAULT : a.mapBits, a.name, clock,
                a.pause, a.cont, a.clear);
        return new Parsed(spec, condition);
    }

    /**
     * Where {@code if} starts the condition: preceded and followed by a space or tab. An {@code if} at the very
     * start, or one too near the end, fails the write.
     */
    private int ifAt(String s) {
        int p = 0;
        while (true) {
            int at = s.indexOf("if", p);
            if (at < 0) {
                return -1;
            }
            if (at == 0) {
                throw TriggerException.silent(trigger, "a hist trigger cannot start with 'if'", Errno.EINVAL);
            }
            if (!blank(s.charAt(at - 1))) {
                p = at + 1;
                continue;
            }
            if (at >= s.length() - 3) {
                throw TriggerException.silent(trigger, "'if' without a condition", Errno.EINVAL);
            }
            if (!blank(s.charAt(at + 2))) {
                p = at + 1;
                continue;
            }
            return at;
        }
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code struct hist_trigger_attrs}. */
    private static final class Attrs {
        String keys;
        String vals;
        String sort;
        String name;
        String clock;
        boolean pause;
        boolean cont;
        boolean clear;
        int mapBits;
        final List<String> assignments = new ArrayList<>();
        final List<String> actions = new ArrayList<>();
    }

    private Attrs attrs(String param) {
        Attrs a = new Attrs();
        String rest = param;
        while (rest != null) {
            CText.Sep sep = CText.strsep(rest, ":");
            String str = sep.token();
            rest = sep.rest();
            int eq = str.indexOf('=');
            if (eq >= 0) {
                if (eq == str.length() - 1) {
                    throw error(HistError.EMPTY_ASSIGNMENT, str, Errno.EINVAL);
                }
                assignment(a, str);
            } else if (str.equals("pause")) {
                a.pause = true;
            } else if (str.equals("cont") || str.equals("continue")) {
                a.cont = true;
            } else if (str.equals("clear")) {
                a.clear = true;
            } else if (a.actions.size() < ACTIONS_MAX
                    && (str.startsWith("onmatch(") || str.startsWith("onmax(") || str.startsWith("onchange("))) {
                a.actions.add(str);
            } else {
                throw TriggerException.silent(trigger, "'" + str + "' is not a hist attribute (keys=, vals=, sort=, size=, "
                        + "name=, clock=, pause, cont, clear)", Errno.EINVAL);
            }
        }
        if (a.keys == null) {
            throw TriggerException.silent(trigger, "hist needs its keys: keys=FIELD", Errno.EINVAL);
        }
        return a;
    }

    private void assignment(Attrs a, String str) {
        if (str.startsWith("key=") || str.startsWith("keys=")) {
            a.keys = str.substring(str.indexOf('=') + 1);
        } else if (str.startsWith("val=") || str.startsWith("vals=") || str.startsWith("values=")) {
            a.vals = str.substring(str.indexOf('=') + 1);
        } else if (str.startsWith("sort=")) {
            a.sort = str.substring(5);
        } else if (str.startsWith("name=")) {
            a.name = str;
        } else if (str.startsWith("clock=")) {
            a.clock = CText.strim(str.substring(6));
        } else if (str.startsWith("size=")) {
            a.mapBits = mapBits(str.substring(5));
        } else {
            if (a.assignments.size() == VARS_MAX) {
                throw error(HistError.TOO_MANY_VARS, str, Errno.EINVAL);
            }
            a.assignments.add(str);
        }
    }

    /** {@code parse_map_size()}: log2 of the size rounded up to a power of two, which must be 7 to 17. */
    private int mapBits(String text) {
        KernelNumbers.Num n = KernelNumbers.kstrtoull(text, 0);
        if (!n.ok()) {
            throw TriggerException.silent(trigger, "size=" + text + " is not a number", n.errno());
        }
        long size = n.value();
        // roundup_pow_of_two(0) and of anything above 2^63 come out as 1 (a shift by 64 on x86)
        int bits = size == 0 || size < 0 ? 0 : 64 - Long.numberOfLeadingZeros(size - 1);
        if (bits < 7 || bits > 17) {
            throw TriggerException.silent(trigger, "size=" + text + " is out of range (65 to 131072 entries)", Errno.EINVAL);
        }
        return bits;
    }

    /** {@code create_val_fields()}: at most two values besides {@code hitcount}. */
    private List<HistField> values(String vals) {
        List<HistField> out = new ArrayList<>();
        String rest = vals;
        for (int i = 0, j = 1; i < VALS_MAX && j < VALS_MAX; i++) {
            if (rest == null) {
                break;
            }
            CText.Sep sep = CText.strsep(rest, ",");
            rest = sep.rest();
            String fieldStr = sep.token();
            if (fieldStr.equals("hitcount")) {
                continue;
            }
            HistField f = reader.expression(fieldStr, false);
            if (f.modifier() == HistField.Modifier.LOG2 || f.modifier() == HistField.Modifier.BUCKETS
                    || f.modifier() == HistField.Modifier.SYM || f.modifier() == HistField.Modifier.SYM_OFFSET) {
                throw error(HistError.BAD_FIELD_MODIFIER, fieldStr, Errno.EINVAL);
            }
            if (f.isString()) {
                throw TriggerException.unsupported(trigger, "the string " + f.name() + " as a value (the kernel would "
                        + "add up the string's addresses)");
            }
            out.add(f);
            j++;
        }
        if (rest != null && !rest.equals("hitcount")) {
            throw TriggerException.silent(trigger, "at most two values besides hitcount", Errno.EINVAL);
        }
        return out;
    }

    /** {@code create_key_fields()}: one to three keys, at most {@code HIST_KEY_SIZE_MAX} bytes in all. */
    private List<HistField> keys(String keys) {
        List<HistField> out = new ArrayList<>();
        String rest = keys;
        int size = 0;
        for (int i = 0; i < KEYS_MAX && rest != null; i++) {
            CText.Sep sep = CText.strsep(rest, ",");
            rest = sep.rest();
            if (sep.token().equals("stacktrace") || sep.token().equals("common_stacktrace")) {
                throw TriggerException.unsupported(trigger, "the " + sep.token() + " key (the kernel's own stack at a uprobe hit: "
                        + "its uprobe handler's functions); the user stack is the key " + HistField.USTACK);
            }
            HistField f = sep.token().equals(HistField.USTACK)
                    ? new HistField(HistField.Source.USTACK, null, HistField.Modifier.NONE, 0, 0)
                    : reader.expression(sep.token(), true);
            if (f.isString() && (f.modifier() == HistField.Modifier.LOG2 || f.modifier() == HistField.Modifier.BUCKETS)) {
                throw TriggerException.unsupported(trigger, "." + f.modifier().text() + " of the string " + f.name()
                        + " (the kernel would use the string's address)");
            }
            size += f.keySlot();
            if (size > KEY_SIZE_MAX) {
                throw TriggerException.silent(trigger, "the keys take more than " + KEY_SIZE_MAX + " bytes (a string key takes "
                        + HistField.MAX_STRING + ")", Errno.EINVAL);
            }
            out.add(f);
        }
        if (rest != null) {
            throw TriggerException.silent(trigger, "at most three keys", Errno.EINVAL);
        }
        return out;
    }

    /** {@code create_sort_keys()}: one or two of {@code hitcount}, a value or a key, by name. */
    private List<HistSpec.SortKey> sortKeys(String sort, List<HistField> all) {
        if (sort == null) {
            return List.of(new HistSpec.SortKey(0, false));
        }
        List<HistSpec.SortKey> out = new ArrayList<>();
        String rest = sort;
        for (int i = 0; i < 2 && rest != null; i++) {
            CText.Sep sep = CText.strsep(rest, ",");
            rest = sep.rest();
            String fieldStr = sep.token();
            if (fieldStr.isEmpty()) {
                throw error(HistError.EMPTY_SORT_FIELD, "sort=", Errno.EINVAL);
            }
            if (i == 1 && rest != null) {
                throw error(HistError.TOO_MANY_SORT_FIELDS, "sort=", Errno.EINVAL);
            }
            CText.Sep dot = CText.strsep(fieldStr, ".");
            String name = dot.token();
            if (name.isEmpty()) {
                throw error(HistError.EMPTY_SORT_FIELD, "sort=", Errno.EINVAL);
            }
            int index = -1;
            if (name.equals("hitcount")) {
                index = 0;
            } else {
                for (int j = 1; j < all.size(); j++) {
                    if (all.get(j).name().equals(name)) {
                        index = j;
                        break;
                    }
                }
                if (index < 0) {
                    throw error(HistError.INVALID_SORT_FIELD, name, Errno.EINVAL);
                }
            }
            out.add(new HistSpec.SortKey(index, descending(dot.rest())));
        }
        return out;
    }

    private boolean descending(String modifier) {
        if (modifier == null || modifier.equals("ascending")) {
            return false;
        }
        if (modifier.equals("descending")) {
            return true;
        }
        throw error(HistError.INVALID_SORT_MODIFIER, modifier, Errno.EINVAL);
    }

    /** The clock a trigger with timestamps sets ({@code tracing_set_clock()}), checked when it is registered. */
    static void checkClock(String trigger, HistSpec spec, String group, String event) {
        if (!spec.usesTimestamps() || CLOCKS.contains(spec.clock())) {
            return;
        }
        if (CLOCKS_NOT_NS.contains(spec.clock())) {
            throw TriggerException.unsupported(trigger, "clock=" + spec.clock() + " (probe4j's timestamps are nanoseconds)");
        }
        throw error(trigger, group, event, HistError.SET_CLOCK_FAIL, spec.clock(), Errno.EINVAL);
    }

    /** A logged error of the hist trigger {@code trigger} on {@code group:event} ({@code at} null: position 0). */
    static TriggerException error(String trigger, String group, String event, HistError e, String at, Errno errno) {
        String paramAndFilter = TriggerParser.split(trigger).rest();
        return new HistParser(trigger, paramAndFilter == null ? "" : paramAndFilter, null, "hist:" + group + ":" + event)
                .error(e, at == null ? "hist:" : at, errno);
    }

    /** A logged error at {@code errpos(at)}: where {@code at} first occurs in the command (0 if nowhere). */
    TriggerException error(HistError e, String at, Errno errno) {
        return TriggerException.logged(trigger, e, location, command, Math.max(0, command.indexOf(at)), errno);
    }
}
