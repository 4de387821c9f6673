package io.probe4j.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Definitions for {@link KernelDifferentialTest}; see there for the placeholders. */
final class DifferentialCases {
    private DifferentialCases() {
    }

    static final String[] REGISTERS = PtRegs.NAMES.toArray(String[]::new);
    static final String[] BAD_REGISTERS = {"rax", "eax", "AX", "r16", "ip2", "", "flags_", "xmm0", "ds"};
    static final String[] TYPES = {"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "x8", "x16", "x32",
            "x64", "char", "string", "ustring", "symbol", "symstr", "b4@4/32", "b0@0/8", "b9@0/8", "b1@7/8",
            "b1@8/8", "bogus/8", "b4@0/7", "b", "u128", "", "%pd", "U8", "b3@0x2/0x10", "b64@0/64", "b4@/8", "b4@1"};
    static final String[] FETCHES = {"%ax", "+8(%si)", "-0x10(%sp)", "+u4(%di)", "@0x601000", "@+0x1000", "$comm",
            "\\\"txt\"", "\\42", "\\-1", "$stack", "$stack2", "$retval"};

    static List<String> handwritten() {
        List<String> c = new ArrayList<>(List.of(
                // commands, names, groups
                "p:{E} {F}:0x1000", "r:{E} {F}:0x1000", "p:{E} {F}:0x1000%return", "p {F}:0x1000", "r {F}:0x1010",
                "p {F2}:0x1020", "p:{G}/{E} {F}:0x1000", "p:{G}/ {F}:0x1040", "p:{G}.{E} {F}:0x1000",
                "p:{G}-x/{E} {F}:0x1000", "p:{G}/{E}-1 {F}:0x1000", "p:/{E} {F}:0x1000", "p: {F}:0x1000",
                "p:. {F}:0x1000", "p:{G}/a.b {F}:0x1000", "p:a.b/c {F}:0x1000", "p:1abc {F}:0x1000", "p:_ok {F}:0x1000",
                "p:{E}$ {F}:0x1000", "p:1g/{E} {F}:0x1000",
                "p:" + "e".repeat(63) + " {F}:0x1000", "p:" + "e".repeat(64) + " {F}:0x1000",
                "p:" + "g".repeat(63) + "/{E} {F}:0x1000", "p:" + "g".repeat(64) + "/{E} {F}:0x1000",
                "px:{E} {F}:0x1050", "rr {F}:0x1060", "q:{E} {F}:0x1000", "P:{E} {F}:0x1000", "p", "p:{E}",
                "  p:{E}   {F}:0x1000\t%di  ", "p:{E} {F}:0x1000 # comment %rax", "# only a comment", "",
                "-:{E}", "-:", "-{E}", "  -:{E}", "-:{G}/", "-:{G}/{E}", "-:/{E}",
                // paths and offsets
                "p:{E} {N}:0x1000", "p:{E} {D}:0x1000", "p:{E} {F}/x:0x1000", "p:{E} {F}/:0x1000",
                "p:{E} true:0x1000", "p:{E} {F}:main", "p:{E} {F}", "p:{E} {F}:", "p:{E} {F}:0x", "p:{E} {F}:0X1F",
                "p:{E} {F}:010", "p:{E} {F}:08", "p:{E} {F}:4096", "p:{E} {F}:0x1000a", "p:{E} {F}:1+2",
                "p:{E} {F}:18446744073709551615", "p:{E} {F}:18446744073709551616", "p:{E} {F}:0xffffffffffffffff",
                "p:{E} {F}:0x10000000000000000", "p:{E} {F}:01777777777777777777777", "p:{E} {F}:02000000000000000000000",
                "p:{E} {F}:18446744073709551620", "p:{E} {F}:0xAbC0",
                "p:{E} {F}:0x1000(0x20)", "p:{E} {F}:0x1000(0)", "p:{E} {F}:0x1000(0x20", "p:{E} {F}:0x1000(0x20)x",
                "p:{E} {F}:0x1000(zz)", "p:{E} {F}:0x1000()", "p:{E} {F}:0x1000%return(0x20)",
                "p:{E} {F}:0x1000(0x20)%return", "p:{E} {F}:0x1000%ret", "p:{E} {F}:0x1000%returnx",
                "p:{E} {F}:0x1000%", "r:{E} {F}:0x1000%return", "p:{E} {F}:+5", "p:{E} {D}/../sub/../specq:0x10",
                // arguments: names
                "p:{E} {F}:0x1000 a=%di b=%si", "p:{E} {F}:0x1000 =%di", "p:{E} {F}:0x1000 1a=%di",
                "p:{E} {F}:0x1000 a-b=%di", "p:{E} {F}:0x1000 a=%di a=%si", "p:{E} {F}:0x1000 arg2=%di %si",
                "p:{E} {F}:0x1000 %di arg1=%si", "p:{E} {F}:0x1000 common_pid=%di", "p:{E} {F}:0x1000 __probe_ip=%di",
                "p:{E} {F}:0x1000 __probe_ret_ip=%di", "p:{E} {F}:0x1000 __probe_func=%di", "p:{E} {F}:0x1000 common_tgid=%di",
                "p:{E} {F}:0x1000 " + "n".repeat(32) + "=%di", "p:{E} {F}:0x1000 " + "n".repeat(33) + "=%di",
                "p:{E} {F}:0x1000 a=", "p:{E} {F}:0x1000 a==%di", "p:{E} {F}:0x1000 foo", "p:{E} {F}:0x1000 foo:u8",
                "p:{E} {F}:0x1000 a=foo", "p:{E} {F}:0x1000 a=_x", "p:{E} {F}:0x1000 a=9", "p:{E} {F}:0x1000 a=(%ax)",
                "p:{E} {F}:0x1000 (foo)bar->x", "p:{E} {F}:0x1000 a=+8((%ax))", "p:{E} {F}:0x1000 a=(", "p:{E} {F}:0x1000 a=)",
                "p:{E} {F}:0x1000 a=+0x" + "0".repeat(55) + "8(%di)", "p:{E} {F}:0x1000 a=+0x" + "0".repeat(56) + "8(%di)",
                // variables
                "p:{E} {F}:0x1000 $stack", "p:{E} {F}:0x1000 $stack0", "p:{E} {F}:0x1000 $stack99999",
                "p:{E} {F}:0x1000 $stack1x", "p:{E} {F}:0x1000 $stack0x1", "p:{E} {F}:0x1000 $stackx",
                "p:{E} {F}:0x1000 $stack18446744073709551616", "p:{E} {F}:0x1000 $comm", "p:{E} {F}:0x1000 $COMM",
                "p:{E} {F}:0x1000 $Comm", "p:{E} {F}:0x1000 $comm:string", "p:{E} {F}:0x1000 $comm:u8",
                "p:{E} {F}:0x1000 $comm:string[2]", "p:{E} {F}:0x1000 $", "p:{E} {F}:0x1000 $foo",
                "p:{E} {F}:0x1000 $retval", "r:{E} {F}:0x1000 $retval", "r:{E} {F}:0x1000 $retval123",
                "p:{E} {F}:0x1000%return $retval:s32", "p:{E} {F}:0x1000 $arg1", "r:{E} {F}:0x1000 $arg1",
                "p:{E} {F}:0x1000 $arg0", "p:{E} {F}:0x1000 $arg2048", "p:{E} {F}:0x1000 $arg2049", "p:{E} {F}:0x1000 $argx",
                "p:{E} {F}:0x1000 $arg*", "p:{E} {F}:0x1000 a=$arg1",
                // memory and immediates
                "p:{E} {F}:0x1000 @0x601000", "p:{E} {F}:0x1000 @123", "p:{E} {F}:0x1000 @0x", "p:{E} {F}:0x1000 @12z",
                "p:{E} {F}:0x1000 @", "p:{E} {F}:0x1000 @sym", "p:{E} {F}:0x1000 @+0x10", "p:{E} {F}:0x1000 @+-16",
                "p:{E} {F}:0x1000 @++16", "p:{E} {F}:0x1000 @+", "p:{E} {F}:0x1000 @+ab", "p:{E} {F}:0x1000 @+0x10:string",
                "p:{E} {F}:0x1000 \\1", "p:{E} {F}:0x1000 \\-1", "p:{E} {F}:0x1000 \\+1", "p:{E} {F}:0x1000 \\++1",
                "p:{E} {F}:0x1000 \\0x10:s8", "p:{E} {F}:0x1000 \\x", "p:{E} {F}:0x1000 \\", "p:{E} {F}:0x1000 \\1a",
                "p:{E} {F}:0x1000 \\18446744073709551616", "p:{E} {F}:0x1000 \\-9223372036854775808",
                "p:{E} {F}:0x1000 \\-9223372036854775809", "p:{E} {F}:0x1000 \\1:string",
                "p:{E} {F}:0x1000 \\\"hi\"", "p:{E} {F}:0x1000 \\\"hi\":string", "p:{E} {F}:0x1000 \\\"hi\":u8",
                "p:{E} {F}:0x1000 \\\"hi", "p:{E} {F}:0x1000 \\\"", "p:{E} {F}:0x1000 \\\"a:b\"", "p:{E} {F}:0x1000 \\\"a=b\"",
                "p:{E} {F}:0x1000 x=\\\"a=b\"", "p:{E} {F}:0x1000 \\\"a#b\"", "p:{E} {F}:0x1000 \\\"hi\":string[2]",
                // dereferences
                "p:{E} {F}:0x1000 +8(%di)", "p:{E} {F}:0x1000 -8(%di)", "p:{E} {F}:0x1000 8(%di)", "p:{E} {F}:0x1000 +(%di)",
                "p:{E} {F}:0x1000 +8%di", "p:{E} {F}:0x1000 +8(%di", "p:{E} {F}:0x1000 +8(%di)junk",
                "p:{E} {F}:0x1000 +8(%rdi)", "p:{E} {F}:0x1000 +u8(%rdi)", "p:{E} {F}:0x1000 -u8(%rdi)",
                "p:{E} {F}:0x1000 ++8(%rdi)", "p:{E} {F}:0x1000 +-8(%di)", "p:{E} {F}:0x1000 +u-8(%di)",
                "p:{E} {F}:0x1000 +u8(%di)", "p:{E} {F}:0x1000 +u8(%di):string", "p:{E} {F}:0x1000 +u8(%di):u8[2]",
                "p:{E} {F}:0x1000 +8(%di):u8[2]", "p:{E} {F}:0x1000 +8($comm)", "p:{E} {F}:0x1000 +8(\\\"x\")",
                "p:{E} {F}:0x1000 +8(\\1)", "p:{E} {F}:0x1000 +8(@0x10)", "p:{E} {F}:0x1000 +8()", "p:{E} {F}:0x1000 +8(+4(%ax))",
                "p:{E} {F}:0x1000 +8(+4(%ax)", "p:{E} {F}:0x1000 +8(+4(%rax))", "p:{E} {F}:0x1000 +0x8(%sp):string",
                "p:{E} {F}:0x1000 +8($stack)", "p:{E} {F}:0x1000 +8($foo)", "p:{E} {F}:0x1000 +9223372036854775808(%ax)",
                "p:{E} {F}:0x1000 -9223372036854775808(%ax)",
                // arrays
                "p:{E} {F}:0x1000 +0(%di):u8[4]", "p:{E} {F}:0x1000 +0(%di):u8[64]", "p:{E} {F}:0x1000 +0(%di):u8[65]",
                "p:{E} {F}:0x1000 +0(%di):u8[0]", "p:{E} {F}:0x1000 +0(%di):u8[]", "p:{E} {F}:0x1000 +0(%di):u8[x]",
                "p:{E} {F}:0x1000 +0(%di):u8[4", "p:{E} {F}:0x1000 +0(%di):u8[4]x", "p:{E} {F}:0x1000 +0(%di):u8[0x10]",
                "p:{E} {F}:0x1000 +0(%di):string[3]", "p:{E} {F}:0x1000 +0(%di):ustring[3]", "p:{E} {F}:0x1000 %di:u8[2]",
                "p:{E} {F}:0x1000 +0(%di):[2]", "p:{E} {F}:0x1000 +0(%di):b4@0/8[2]", "p:{E} {F}:0x1000 +0(%di):x64[64]",
                "p:{E} {F}:0x1000 @0x10:u32[8]", "p:{E} {F}:0x1000 +0(%di):u8[4294967296]", "p:{E} {F}:0x1000 +0(%di):u8[4]]",
                "p:{E} {F}:0x1000 +0(%di):u8[4][2]",
                // nesting depth
                nest(13, "%ax", ""), nest(14, "%ax", ""), nest(15, "%ax", ""), nest(13, "%ax", ":string"),
                nest(14, "%ax", ":string"), nest(13, "%ax", ":b4@0/8"), nest(14, "%ax", ":b4@0/8"),
                nest(13, "%ax", ":u8[2]"), nest(14, "%ax", ":u8[2]"), nest(12, "%ax", ":b4@0/8[2]"),
                nest(13, "%ax", ":b4@0/8[2]"), nest(13, "@0x10", ""), nest(14, "@0x10", ""), nest(13, "@+0x10", ":u8"),
                nest(12, "\\1", ":string"), nest(0, "\\1", ":string[2]"), nest(14, "\\1", ""), nest(14, "$stack", ":u8"),
                // event size
                many(48, "+0(%ax):u64[8]"), many(49, "+0(%ax):u64[8]"), many(128, "%ax"), many(129, "%ax"),
                many(100, "+0(%ax):string[8]"),
                // appending to an existing event, duplicates, removals
                "p:{E} {F}:0x1000 ;; p:{E} {F}:0x1000", "p:{E} {F}:0x1000 ;; p:{E} {F}:0x1010",
                "p:{E} {F}:0x1000 ;; r:{E} {F}:0x1010", "p:{E} {F}:0x1000 a=%di ;; p:{E} {F}:0x1010 a=%si",
                "p:{E} {F}:0x1000 a=%di ;; p:{E} {F}:0x1010 b=%di", "p:{E} {F}:0x1000 a=%di ;; p:{E} {F}:0x1010 a=%di:u32",
                "p:{E} {F}:0x1000 a=%di ;; p:{E} {F}:0x1010", "p:{E} {F}:0x1000 ;; p:{E} {F}:0x1010 a=%di",
                "p:{E} {F}:0x1000 a=%di b=%si ;; p:{E} {F}:0x1010 a=%di b=%si:s64",
                "p:{E} {F}:0x1000 a=%di:u8 ;; p:{E} {F}:0x1010 a=%di:b3@0/8",
                "p:{E} {F}:0x1000 a=%di:x64 ;; p:{E} {F}:0x1010 a=%di:u64",
                "p:{E} {F}:0x1000 a=+0(%di):u8[2] ;; p:{E} {F}:0x1010 a=+0(%di):u8[3]",
                "p:{E} {F}:0x1000 a=%di ;; p:{E} {F}:0x1000 a=%si", "p:{E} {F}:0x1000 a=%di ;; p:{E} {F2}:0x1000 a=%di",
                "r:{E} {F}:0x1000 ;; p:{E} {F}:0x1020%return", "p:{E} {F}:0x1000(0x10) ;; p:{G}/{E} {F}:0x1000(0x20)",
                "p:{E} {F}:0x1000(0x10) ;; p:{G}/{E} {F}:0x1000", "p:{E} {F}:0x1000(0x10) ;; p:{G}/{E} {F}:0x1000(16)",
                "p:{E} {F}:0x1000 ;; -:{E}", "p:{E} {F}:0x1000 ;; -:{E} ;; -:{E}", "p:{G}/{E} {F}:0x1000 ;; -:uprobes/{E}",
                "p:{G}/{E} {F}:0x1000 ;; -:{G}/{E}", "p:{G}/{E} {F}:0x1000 ;; p:{G}/{E}x {F}:0x1000 ;; -:{G}/",
                "p:{E} {F}:0x1000 a=%di ;; -:{E} {F}:0x0000000000001000 a=%di",
                "p:{E} {F}:0x1000 a=%di ;; -:{E} {F}:0x1000", "p:{E} {F}:0x1000 a=%di ;; -:{E} {F}:0x0000000000001000",
                "p:{E} {F}:0x1000 a=%di ;; -:{E} {F}:0x0000000000001000 a=%si",
                "p:{E} {F}:0x1000(0x20) ;; -:{E} {F}:0x0000000000001000(0x20)",
                "p:{E} {F}:0x1000 ;; p:{E} {F}:0x1010 ;; -:{E} {F}:0x0000000000001010",
                "p:sched/sched_switch {F}:0x1000", "p:{E} {F}:0x1000 ;; p:{E} {F}:0x1010 ;; p:{E} {F}:0x1000"));
        for (String r : REGISTERS) {
            c.add("p:{E} {F}:0x1000 %" + r);
        }
        for (String r : BAD_REGISTERS) {
            c.add("p:{E} {F}:0x1000 x=%" + r);
        }
        for (String t : TYPES) {
            for (String f : new String[] {"%ax", "+4(%ax)", "@0x10", "$comm", "\\7", "\\\"s\"", "$stack3"}) {
                c.add("p:{E} {F}:0x1000 v=" + f + ":" + t);
            }
        }
        return c;
    }

    /** The kernel selftest's uprobe syntax errors (uprobes_syntax_errors.tc), on this run's files. */
    static List<String> selftest() {
        return List.of("p {N}:100", "p {D}:100", "p {F}:10a", "p {F}:10(1a)", "p {F}:10(10", "p {F}:10(10)a",
                "p {F}:10 @+ab", "p {F}:10 @symbol", "p {F}:10%hoge", "p {F}:10(10)%return");
    }

    private static String nest(int depth, String base, String type) {
        return "p:{E} {F}:0x1000 a=" + "+0(".repeat(depth) + base + ")".repeat(depth) + type;
    }

    private static String many(int n, String arg) {
        StringBuilder b = new StringBuilder("p:{E} {F}:0x1000");
        for (int i = 0; i < n; i++) {
            b.append(" a").append(i).append('=').append(arg);
        }
        return b.toString();
    }

    private static final String[] HEADS = {"p", "r", "p:{E}", "r:{E}", "p:{G}/{E}", "p:{G}/", "p:{E}-x", "p:1{E}",
            "p:/x", "p:", "x:{E}", "-:{E}"};
    private static final String[] TARGETS = {"{F}:0x1000", "{F}:4096", "{F}:0x1000%return", "{F}:0x1000(0x30)",
            "{F}:0x10zz", "{N}:0x10", "{D}:0x10", "{F2}:0x2000", "{F}:0x1000%ret", "{F}:0x1000(0x30", "{F}:sym",
            "nofile:0x10", "{F}:012", "{F}:0x1000(0x30)x"};
    private static final String[] NAMES = {"", "", "", "a=", "b=", "a=", "_z=", "1x=", "=", "arg1=", "arg3=",
            "common_pid=", "n".repeat(33) + "="};
    private static final String[] BASES = {"%di", "%si", "%ax", "%ip", "%rax", "$stack", "$stack1", "$stack1x", "$comm",
            "$retval", "$arg1", "$zz", "@0x1000", "@+0x20", "@+zz", "@sym", "\\1", "\\-3", "\\zz", "\\\"str\"", "\\\"str",
            "foo", "9", "+8(%di)", "-8(%sp)", "+u8(%si)", "+8(%di", "+8%di", "+zz(%di)", "+0(+8(%si))", "+8($comm)", "(x)y", "+8((%di))"};
    private static final String[] SUFFIXES = {"", "", "", ":u8", ":s16", ":x32", ":u64", ":char", ":string", ":ustring",
            ":b3@2/8", ":b9@0/8", ":bad", ":", ":u8[4]", ":u8[0]", ":u8[65]", ":u8[2", ":string[2]", ":symbol"};

    /** A random definition mixing valid and invalid pieces; sometimes two lines (append/remove). */
    static String random(Random r) {
        String line = pick(r, HEADS) + " " + pick(r, TARGETS);
        int args = r.nextInt(10) == 0 ? 130 : r.nextInt(5);
        StringBuilder b = new StringBuilder(line);
        for (int i = 0; i < args; i++) {
            b.append(' ').append(pick(r, NAMES)).append(pick(r, BASES)).append(pick(r, SUFFIXES));
        }
        String first = b.toString();
        return switch (r.nextInt(6)) {
            case 0 -> first + " ;; " + random(r);
            case 1 -> first + " ;; -:{E}";
            default -> first;
        };
    }

    private static String pick(Random r, String[] a) {
        return a[r.nextInt(a.length)];
    }
}
