package io.probe4j.spec;

/**
 * The event names made when a definition names none: the kernel's ({@link #of}) for a file offset, and
 * {@code perf probe}'s ({@link #forFunction}) for each function a wildcard matches.
 */
public final class AutoName {
    private AutoName() {
    }

    /**
     * {@code p_<basename cut at the first '.', '-' or '_'>_0x<offset in lowercase hex>}, cut to 63
     * bytes (the kernel prints it into a 64-byte buffer). Always {@code p_}, also for return probes.
     * The kernel does not check this name against the naming rules.
     */
    public static String of(String path, long offset) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (c == '.' || c == '-' || c == '_') {
                base = base.substring(0, i);
                break;
            }
        }
        String name = "p_" + base + "_0x" + Long.toHexString(offset);
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > Names.MAX_EVENT_NAME_LEN - 1) {
            name = new String(bytes, 0, Names.MAX_EVENT_NAME_LEN - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        return name;
    }

    /**
     * The name {@code perf probe} gives an event on a function it found by a pattern (perf 6.1's
     * {@code get_new_event_name}): the function's name without a leading {@code .} and cut at its first
     * {@code .} or {@code @} ({@code foo.isra.0}, {@code memcpy@GLIBC_2.2.5} give {@code foo}, {@code memcpy}),
     * plus {@code __return} for a return probe; when that name is {@code taken}, {@code NAME_1},
     * {@code NAME_2}, ... (the first free one, without {@code __return}, as perf does). Where perf gives up,
     * probe4j goes on: characters an event name may not have become {@code _} (as newer perf does for names
     * that are not C) and a name longer than the kernel's 63 bytes is cut (a suffix still fits).
     */
    public static String forFunction(String function, boolean isReturn, java.util.function.Predicate<String> taken) {
        String base = function.startsWith(".") ? function.substring(1) : function;
        int cut = indexOfAny(base, ".@");
        if (cut > 0) {
            base = base.substring(0, cut);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            boolean good = Names.isAlpha(c) || Names.isDigit(c) || c == '_';
            if (good) {
                b.append(c);
            } else if (b.isEmpty() || b.charAt(b.length() - 1) != '_') {
                b.append('_');
            }
        }
        if (b.isEmpty() || Names.isDigit(b.charAt(0))) {
            b.insert(0, '_');
        }
        base = b.toString();
        String name = fit(base, isReturn ? "__return" : "");
        for (int i = 1; taken.test(name); i++) {
            name = fit(base, "_" + i);
        }
        return name;
    }

    /** {@code base + suffix}, {@code base} cut so the whole fits the kernel's 63 bytes (the name is ASCII here). */
    private static String fit(String base, String suffix) {
        int room = Names.MAX_EVENT_NAME_LEN - 1 - suffix.length();
        return (base.length() > room ? base.substring(0, room) : base) + suffix;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
