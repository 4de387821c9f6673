package io.probe4j.spec;

import java.util.Set;

/** Character classes and name rules of the kernel's probe parser (ASCII only, like {@code ctype.h}). */
final class Names {
    private Names() {
    }

    /** Event and group names, like other fixed-size names in the kernel, hold at most 63 bytes. */
    static final int MAX_EVENT_NAME_LEN = 64;
    static final int MAX_ARG_NAME_LEN = 32;
    static final int MAX_ARGSTR_LEN = 63;
    static final int MAX_TRACE_ARGS = 128;
    static final int MAX_ARRAY_LEN = 64;
    /** {@code MAX_PROBE_EVENT_SIZE}: bytes of argument data one event may record. */
    static final int MAX_PROBE_EVENT_SIZE = 3072;
    /** {@code WRITE_BUFSIZE - 2}: the longest line {@code uprobe_events} takes. */
    static final int MAX_LINE_LEN = 4094;

    /** Field names every event already has; an argument may not take them. */
    static final Set<String> RESERVED_FIELDS = Set.of("common_type", "common_flags", "common_preempt_count",
            "common_pid", "common_tgid", "__probe_ip", "__probe_ret_ip", "__probe_func");

    static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code isspace()}: the separators {@code argv_split} splits a line at. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    /** {@code is_good_name}: a C identifier (events, arguments). */
    static boolean isGoodName(String name) {
        return isGood(name, false);
    }

    /** {@code is_good_system_name}: a C identifier that may also contain {@code -} (groups). */
    static boolean isGoodSystemName(String name) {
        return isGood(name, true);
    }

    private static boolean isGood(String name, boolean hyphen) {
        if (name.isEmpty() || !(isAlpha(name.charAt(0)) || name.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isAlpha(c) || isDigit(c) || c == '_' || (hyphen && c == '-'))) {
                return false;
            }
        }
        return true;
    }
}
