package io.probe4j.demangle;

import io.probe4j.demangle.Node.Binary;
import io.probe4j.demangle.Node.Call;
import io.probe4j.demangle.Node.Cast;
import io.probe4j.demangle.Node.FunctionParam;
import io.probe4j.demangle.Node.Keyword;
import io.probe4j.demangle.Node.Literal;
import io.probe4j.demangle.Node.Name;
import io.probe4j.demangle.Node.Prefix;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <expression>} and {@code <expr-primary>} (Itanium C++ ABI 5.1.6), the part that shows up in
 * template arguments and {@code decltype}: literals, parameters, sizeof/alignof, calls, casts and the
 * unary and binary operators. Other expressions fail the name.
 */
final class Expressions {
    private Expressions() {
    }

    static Node expression(Parser p) {
        return p.guarded(Expressions::parse);
    }

    private static Node parse(Parser p) {
        char c = p.peek();
        if (c == 'L') {
            return primary(p);
        }
        if (c == 'T') {
            return TypeParser.templateParam(p);
        }
        if (Character.isDigit(c)) {
            return new Name(p.identifier());
        }
        if (p.consume("fp")) {
            p.cvQualifiers();
            int n = p.peek() == '_' ? 1 : p.number() + 2;
            p.expect('_');
            return new FunctionParam(n);
        }
        if (p.consume("st")) {
            return new Keyword("sizeof", p.type());
        }
        if (p.consume("sz")) {
            return new Keyword("sizeof", expression(p));
        }
        if (p.consume("at")) {
            return new Keyword("alignof", p.type());
        }
        if (p.consume("az")) {
            return new Keyword("alignof", expression(p));
        }
        if (p.consume("cl")) {
            Node f = expression(p);
            List<Node> args = new ArrayList<>();
            while (!p.consume('E')) {
                args.add(expression(p));
                if (p.atEnd()) {
                    throw p.fail("unterminated call");
                }
            }
            return new Call(f, args);
        }
        if (p.consume("cv")) {
            Node type = p.type();
            List<Node> operands = new ArrayList<>();
            if (p.consume('_')) {
                while (!p.consume('E')) {
                    operands.add(expression(p));
                    if (p.atEnd()) {
                        throw p.fail("unterminated cast");
                    }
                }
            } else {
                operands.add(expression(p));
            }
            return new Cast(type, operands);
        }
        String code = p.s.substring(p.pos, Math.min(p.pos + 2, p.s.length()));
        if (Operators.BINARY.contains(code)) {
            p.pos += 2;
            Node left = expression(p);
            return new Binary(Operators.NAMES.get(code), left, expression(p));
        }
        if (Operators.UNARY.contains(code)) {
            p.pos += 2;
            Node operand = expression(p);
            if (code.equals("ad") && operand instanceof Node.Function f && f.name() instanceof Node.Nested) {
                operand = f.name(); // &A::f, not &(A::f(int)): libiberty does so for qualified names only
            }
            return new Prefix(Operators.NAMES.get(code), operand);
        }
        throw p.fail("unsupported expression");
    }

    /** {@code L <type> <value> E}, {@code L _Z <encoding> E}. */
    static Node primary(Parser p) {
        p.expect('L');
        if (p.consume("_Z") || p.consume('Z')) {
            Node e = p.encoding();
            p.expect('E');
            return e;
        }
        Node type = p.type();
        String t = Printer.print(type);
        if (p.consume('E')) {
            if (t.equals("decltype(nullptr)")) {
                return new Literal("(decltype(nullptr))0");
            }
            throw p.fail("a literal without a value");
        }
        boolean negative = p.consume('n');
        int start = p.pos;
        while (!p.atEnd() && p.peek() != 'E') {
            p.pos++;
        }
        String value = (negative ? "-" : "") + p.s.substring(start, p.pos);
        p.expect('E');
        return new Literal(switch (t) {
            case "bool" -> value.equals("0") ? "false" : value.equals("1") ? "true" : "(bool)" + value;
            case "int" -> value;
            case "unsigned int" -> value + "u";
            case "long" -> value + "l";
            case "unsigned long" -> value + "ul";
            case "long long" -> value + "ll";
            case "unsigned long long" -> value + "ull";
            default -> "(" + t + ")" + value;
        });
    }
}
