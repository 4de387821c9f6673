package io.probe4j.demangle;

import io.probe4j.demangle.Node.Conversion;
import io.probe4j.demangle.Node.Name;
import java.util.Map;

/** {@code <operator-name>}: the two-letter operator codes and what they print as. */
final class Operators {
    /** Operator codes and their spellings. */
    static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("nw", "new"), Map.entry("na", "new[]"), Map.entry("dl", "delete"), Map.entry("da", "delete[]"),
            Map.entry("ps", "+"), Map.entry("ng", "-"), Map.entry("ad", "&"), Map.entry("de", "*"), Map.entry("co", "~"),
            Map.entry("pl", "+"), Map.entry("mi", "-"), Map.entry("ml", "*"), Map.entry("dv", "/"), Map.entry("rm", "%"),
            Map.entry("an", "&"), Map.entry("or", "|"), Map.entry("eo", "^"), Map.entry("aS", "="), Map.entry("pL", "+="),
            Map.entry("mI", "-="), Map.entry("mL", "*="), Map.entry("dV", "/="), Map.entry("rM", "%="), Map.entry("aN", "&="),
            Map.entry("oR", "|="), Map.entry("eO", "^="), Map.entry("ls", "<<"), Map.entry("rs", ">>"), Map.entry("lS", "<<="),
            Map.entry("rS", ">>="), Map.entry("eq", "=="), Map.entry("ne", "!="), Map.entry("lt", "<"), Map.entry("gt", ">"),
            Map.entry("le", "<="), Map.entry("ge", ">="), Map.entry("ss", "<=>"), Map.entry("nt", "!"), Map.entry("aa", "&&"),
            Map.entry("oo", "||"), Map.entry("pp", "++"), Map.entry("mm", "--"), Map.entry("cm", ","), Map.entry("pm", "->*"),
            Map.entry("pt", "->"), Map.entry("cl", "()"), Map.entry("ix", "[]"), Map.entry("qu", "?"), Map.entry("aw", "co_await"));

    /** The codes that are binary operators in expressions. */
    static final java.util.Set<String> BINARY = java.util.Set.of("pl", "mi", "ml", "dv", "rm", "an", "or", "eo", "aS",
            "pL", "mI", "mL", "dV", "rM", "aN", "oR", "eO", "ls", "rs", "lS", "rS", "eq", "ne", "lt", "gt", "le", "ge",
            "ss", "aa", "oo", "cm", "pm");

    /** The codes that are prefix operators in expressions. */
    static final java.util.Set<String> UNARY = java.util.Set.of("ps", "ng", "ad", "de", "co", "nt");

    private Operators() {
    }

    static Node operatorName(Parser p) {
        if (p.consume("cv")) {
            boolean saved = p.permitForwardRefs;
            p.permitForwardRefs = true; // operator T_ may name a template argument that follows
            Node t = p.type();
            p.permitForwardRefs = saved;
            return new Conversion(t);
        }
        if (p.consume("li")) {
            return new Name("operator\"\" " + p.identifier());
        }
        if (p.peek() == 'v' && Character.isDigit(p.peek(1))) {
            p.pos += 2;
            return new Name("operator " + p.identifier());
        }
        String code = p.s.substring(p.pos, Math.min(p.pos + 2, p.s.length()));
        String op = NAMES.get(code);
        if (op == null) {
            throw p.fail("unknown operator");
        }
        p.pos += 2;
        return new Name(Character.isLetter(op.charAt(0)) ? "operator " + op : "operator" + op);
    }
}
