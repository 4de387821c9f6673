package io.probe4j.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Filters for the differential tests, valid and invalid, over the fields of {@link FilterFixture}'s entry
 * event: written by hand (each rule of the grammar and each error, at its position), generated (every
 * field kind against every operator and kind of value) and random (expressions, then mutated).
 */
final class FilterCases {
    /** Fields of each kind the kernel distinguishes. */
    static final List<String> FIELDS = List.of("u8", "s8", "s16", "u32", "s32", "u64", "s64", "x32", "ch", "bf", "bf64",
            "arr2", "arr3", "sarr", "arr8", "cpu", "name", "uname", "cm", "pair", "COMM", "comm", "CPU", "common_cpu",
            "common_pid", "common_flags", "common_preempt_count", "stacktrace", "__probe_ip", "seq");

    static final List<String> OPS = List.of("==", "!=", "<", "<=", ">", ">=", "&", "~", "=", "!~", "=<", "<>", "&&", "|");

    static final List<String> VALUES = List.of("1", "-1", "0x7f", "255", "\"a*\"", "'x'", "\"\"", "CPUS{1}", "CPUS{0-1}",
            "+1", "abc", "-", "010", "1e3");

    private FilterCases() {
    }

    static List<String> handwritten() {
        List<String> c = new ArrayList<>(List.of(
                // numbers in the kernel's bases and ranges, per signedness
                "u8 == 1", "u8==1", "u8 != 0", "s8 < -1", "s8 <= 127", "s16 > -32768", "u32 >= 4294967295",
                "u64 & 0x8000000000000000", "x32 & 1", "seq == 010", "seq == 0x1F", "seq == 0X1f", "seq == 08",
                "seq == 0x", "seq == 0xg", "seq == 0b1", "seq == 1_0", "seq == 0", "seq == 00", "seq == -0",
                "s64 == -9223372036854775808", "s64 == -9223372036854775809", "s64 == 9223372036854775807",
                "s64 == 9223372036854775808", "u64 == 18446744073709551615", "u64 == 18446744073709551616",
                "u64 == -1", "s32 == -1", "u8 == 256", "s8 == 128", "s8 == -129", "u8 == 12345678901234567890123",
                "u8 == 123456789012345678901234", "u8 == 0x00000000000000000000001", "u8 == 0x000000000000000000000001",
                "seq == --1", "seq == -", "seq == - 1", "seq == 1-", "seq == 1.5", "seq == +1", "seq == 1 2",
                "common_pid == -1", "common_pid > 0", "common_type == 0", "common_flags & 0x80", "common_preempt_count == 255",
                "__probe_ip != 0", "__probe_ip.function == vfs_read", "__probe_ip.function != vfs_read",
                "__probe_ip.function == nosuchfunction", "__probe_ip.function == 0x1234", "__probe_ip.function < vfs_read",
                "u32.function == vfs_read", "__probe_ip.function == 'vfs_read'", "__probe_ip.function ==vfs_read",
                "__probe_ip.function == 123456789012345678901234", "__probe_ip.function == 0xz", "u8.ustring == 1",
                "name.ustring == \"a\"", "u8.ustring.function == 1", "u8.function.ustring == 1", "u8.foo == 1", "u8. == 1",
                // strings and globs
                "name == \"alpha\"", "name != 'beta'", "name ~ \"al*\"", "name ~ \"*bet\"", "name ~ \"*ph*\"", "name ~ \"*\"",
                "name ~ \"**\"", "name ~ \"a*b\"", "name ~ \"[ab]*\"", "name ~ \"?\"", "name ~ \"!al*\"", "name ~ \"1*\"",
                "name ~ \"\"", "name ~ \"!\"", "name == \"\"", "name == \"a'b\"", "name == 'a\"b'", "name < \"a\"",
                "name & \"a\"", "name == alpha", "name == 1", "name ~ 1", "name == \"unterminated", "name == 'x",
                "name == \"" + "x".repeat(255) + "\"", "name == \"" + "x".repeat(256) + "\"", "uname ~ \"h*\"",
                "cm ~ \"filter*\"", "pair == \"a\"", "pair[0] == \"a\"", "COMM == \"filter_fields\"", "COMM ~ \"*ds\"",
                "comm ~ \"filt*\"", "COMM == 1", "COMM < \"a\"", "CPU == 0", "CPU < 1", "CPU & 1", "CPU ~ 1",
                "CPU == \"0\"", "cpu == -1", "cpu ~ \"x\"", "common_cpu >= 0", "stacktrace == 1", "STACKTRACE == \"x\"",
                "stacktrace & 1", "ch == 97", "ch == 'a'", "arr2 == 0x6c61", "arr3 == 1", "sarr < 0", "arr8 != 0",
                // CPU lists
                "CPU & CPUS{0}", "CPU == CPUS{0-1}", "CPU != CPUS{1}", "CPU < CPUS{0}", "CPU & CPUS{all}", "CPU & CPUS{N}",
                "CPU & CPUS{0,1}", "CPU & CPUS{0 1}", "CPU & CPUS{0-1:1/2}", "CPU & CPUS{0-1:2/1}", "CPU & CPUS{1-0}",
                "CPU & CPUS{}", "CPU & CPUS{2}", "CPU & CPUS{x}", "CPU & CPUS{0-}", "CPU & CPUS{-1}", "CPU & CPUS 0",
                "CPU & CPUS{0", "CPU & CPUS{ALL}", "CPU & CPUS{,0,}", "CPU & CPUS{0-N}", "CPU & CPUS{4294967296}",
                "CPU & CPUSX", "u8 & CPUS{1}", "u64 == CPUS{0-1}", "arr3 & CPUS{0-1}", "name == CPUS{0}",
                "COMM & CPUS{0}", "stacktrace & CPUS{0}", "u8 ~ CPUS{0}", "u8 & CPUS{0-1:0/1}",
                // logic, parentheses, negation
                "u8 == 1 && s8 == 1", "u8 == 1 || s8 == 1", "u8 == 1 && s8 == 1 || u16 == 2", "(u8 == 1)", "((u8 == 1))",
                "!u8 == 1", "!(u8 == 1)", "!!(u8 == 1)", "! u8 == 1", "!(u8 == 1 || !(s8 < 0 && u16 > 2))",
                "u8 == 1 &&", "u8 == 1 ||", "u8 == 1 && !", "u8 == 1 & s8 == 1", "u8 == 1 | s8 == 1",
                "u8 == 1 &&& s8 == 1", "u8 == 1 ||| s8 == 1", "&& u8 == 1", "|| u8 == 1", "u8 == 1 s8 == 2",
                "(u8 == 1", "u8 == 1)", "((u8 == 1)", "(u8 == 1))", "()", "( )", "(", ")", "u8 == 1 || ()",
                "(u8 == 1) (s8 == 1)", "(u8 == 1) && (s8 == 1", "u8 == (1)", "(u8) == 1", "!", "!!", "!(", "!()",
                "u8 != 1", "u8 !== 1", "u8 =! 1", "u8 !~ 1", "!= 1", "== 1", "u8", "u8 ==", "u8 == ", "nosuch == 1",
                "U8 == 1", "u8x == 1", "1 == u8", "\"u8\" == 1", "'a", "\"", "a\"b\"c", "u8 == 1 \"x\"",
                "u8 == 1 && (s8 == 1 || (u16 == 2 && (u32 == 3 || (u64 == 4 && (s16 == 5)))))",
                "u8==1&&s8==1||!(u16==2)", "\tu8\t==\t1\t", "  u8 == 1  ", "u8 == 1\n", " 0", "0", "0 ", "00",
                "u8 == 1 \u00a0", "\u00a0u8 == 1", "u8\u00a0== 1", "u\u00e9 == 1", "u8 == 1\u00e9", "name == \"\u00e9t\u00e9\"",
                "u8 == 1 && s8 == 1 && u16 == 1 && u32 == 1 && u64 == 1 && s16 == 1 && s32 == 1 && s64 == 1",
                "(((((((((((u8 == 1)))))))))))", "u8 == 1 && !(s8 == 1) || !!u16 == 2 && !(!(u32 == 3))"));
        return c;
    }

    /**
     * Every field against every operator (with a value that changes from pair to pair) and against every
     * kind of value (with {@code ==} and with {@code <}).
     */
    static List<String> generated() {
        List<String> c = new ArrayList<>();
        int n = 0;
        for (String f : FIELDS) {
            for (String op : OPS) {
                c.add(f + " " + op + " " + VALUES.get(n++ % VALUES.size()));
            }
            for (String v : VALUES) {
                c.add(f + " == " + v);
                c.add(f + "<" + v);
            }
        }
        return c;
    }

    /** A random expression over the fields, often mutated into something the kernel may refuse. */
    static String random(Random r) {
        String e = expression(r, 0);
        int mutations = r.nextInt(4) == 0 ? 0 : r.nextInt(3);
        for (int k = 0; k < mutations; k++) {
            int at = e.isEmpty() ? 0 : r.nextInt(e.length());
            String noise = "()!&|\"' =<>~-0x1aCPUS{},";
            e = switch (r.nextInt(3)) {
                case 0 -> e.substring(0, at) + noise.charAt(r.nextInt(noise.length())) + e.substring(at);
                case 1 -> e.isEmpty() ? e : e.substring(0, at) + e.substring(at + 1);
                default -> e.substring(0, at) + e.substring(at, Math.min(e.length(), at + 2)) + e.substring(at);
            };
        }
        return e;
    }

    static String expression(Random r, int depth) {
        int n = 1 + r.nextInt(depth > 2 ? 1 : 3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(r.nextBoolean() ? " && " : " || ");
            }
            if (r.nextInt(4) == 0) {
                b.append('!');
            }
            if (depth < 3 && r.nextInt(3) == 0) {
                b.append('(').append(expression(r, depth + 1)).append(')');
            } else {
                b.append(predicate(r));
            }
        }
        return b.toString();
    }

    static String predicate(Random r) {
        String[] numeric = {"u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "x8", "x16", "x32", "x64", "ch", "bf",
            "bf8", "bf64", "arr2", "sarr", "arr3", "arr8", "cpu", "seq", "common_pid", "common_flags", "common_preempt_count"};
        String[] strings = {"name", "uname", "cm", "pair", "COMM", "comm"};
        String[] numbers = {"0", "1", "-1", "2", "3", "7", "42", "127", "128", "255", "256", "-128", "-129", "65535", "65536",
            "0x7fffffff", "0x80000000", "-2147483648", "0xffffffff", "0x100000000", "0x7fffffffffffffff",
            "0x8000000000000000", "-9223372036854775808", "0xffffffffffffffff", "1024", "4096", "-4096", "0x5a5a",
            "0x1234", "-2", "0x6c61", "0x68", "010", "0x101"};
        String[] texts = {"", "a", "alpha", "al*", "*ha", "*ph*", "*", "a*b", "[ab]*", "?", "!al*", "1*", "*\\\\*",
            "[!a-h]*", "h?l*", "*.c", "lib*.so.?", "filter_fields", "filter*", "*ds", "*fields", "*lds*", "Hello*", "[]]*",
            "[a-]*", "*[", "\\*star", "*star", "sh", "!*", "**", "back\\\\slash", "*\\\\*"};
        int k = r.nextInt(10);
        if (k < 6) {
            String[] ops = {"==", "!=", "<", "<=", ">", ">=", "&"};
            return numeric[r.nextInt(numeric.length)] + " " + ops[r.nextInt(ops.length)] + " " + numbers[r.nextInt(numbers.length)];
        }
        if (k < 9) {
            String[] ops = {"==", "!=", "~", "~", "~"};
            return strings[r.nextInt(strings.length)] + " " + ops[r.nextInt(ops.length)] + " \"" + texts[r.nextInt(texts.length)] + "\"";
        }
        String[] cpus = {"CPU == 0", "CPU != 1", "CPU < 1", "CPU >= 1", "CPU & CPUS{0}", "CPU & CPUS{1}", "CPU & CPUS{0-1}",
            "CPU == CPUS{0-1}", "CPU != CPUS{0-1}", "common_cpu == 1", "u8 & CPUS{0-1}", "u8 & CPUS{1}", "u64 != CPUS{1}",
            "seq & CPUS{0-1}", "arr3 & CPUS{0-1}", "cpu & CPUS{0,1}", "CPU & 1"};
        return cpus[r.nextInt(cpus.length)];
    }
}
