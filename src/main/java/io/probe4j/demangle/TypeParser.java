package io.probe4j.demangle;

import io.probe4j.demangle.Node.ArgPack;
import io.probe4j.demangle.Node.ArrayType;
import io.probe4j.demangle.Node.ForwardRef;
import io.probe4j.demangle.Node.FunctionType;
import io.probe4j.demangle.Node.Keyword;
import io.probe4j.demangle.Node.Literal;
import io.probe4j.demangle.Node.MemberPointer;
import io.probe4j.demangle.Node.Name;
import io.probe4j.demangle.Node.PackExpansion;
import io.probe4j.demangle.Node.Pointer;
import io.probe4j.demangle.Node.Qualified;
import io.probe4j.demangle.Node.Reference;
import io.probe4j.demangle.Node.VectorType;
import io.probe4j.demangle.Node.VendorQualified;
import io.probe4j.demangle.Node.WithArgs;
import java.util.ArrayList;
import java.util.List;

/** {@code <type>} (Itanium C++ ABI 5.1.5): builtins, qualifiers, declarators, class names, template parameters. */
final class TypeParser {
    private TypeParser() {
    }

    static Node type(Parser p) {
        return p.guarded(TypeParser::parse);
    }

    private static Node parse(Parser p) {
        char c = p.peek();
        String builtin = builtin(c);
        if (builtin != null) {
            p.pos++;
            return new Name(builtin);
        }
        Node t;
        switch (c) {
            case 'r', 'V', 'K' -> {
                String quals = p.cvQualifiers();
                Node inner = type(p);
                t = inner instanceof FunctionType f // an abominable function type: the qualifiers are the function's
                        ? new FunctionType(f.returnType(), f.params(), quals + f.qualifiers(), f.ref())
                        : new Qualified(inner, quals);
            }
            case 'P' -> {
                p.pos++;
                t = new Pointer(type(p));
            }
            case 'R', 'O' -> {
                p.pos++;
                t = reference(type(p), c == 'O');
            }
            case 'C' -> {
                p.pos++;
                t = new VendorQualified(type(p), "_Complex");
            }
            case 'G' -> {
                p.pos++;
                t = new VendorQualified(type(p), "_Imaginary");
            }
            case 'F' -> t = functionType(p, "");
            case 'A' -> t = arrayType(p);
            case 'M' -> {
                p.pos++;
                Node cls = type(p);
                t = new MemberPointer(cls, type(p));
            }
            case 'T' -> {
                int index = paramIndex(p);
                t = templateParam(p);
                // In a conversion operator's type, T_ I...E are the operator's own template arguments
                boolean templateTemplate = p.peek() == 'I' && !p.permitForwardRefs;
                if (!templateTemplate) {
                    p.paramCandidates.put(p.subs.size(), index);
                }
                if (templateTemplate) {
                    p.subs.add(t);
                    t = new WithArgs(t, p.templateArgs(false));
                }
            }
            case 'S' -> {
                if (p.peek(1) == 't') {
                    t = p.name(false);
                } else {
                    Node sub = p.substitution();
                    if (p.peek() != 'I') {
                        return sub; // already a candidate
                    }
                    t = new WithArgs(sub, p.templateArgs(false));
                }
            }
            case 'D' -> {
                Node d = dType(p);
                if (d instanceof Name) {
                    return d; // a builtin: not a candidate
                }
                t = d;
            }
            case 'U' -> {
                p.pos++;
                String qualifier = p.identifier();
                if (p.peek() == 'I') {
                    throw p.fail("a vendor qualifier with template arguments");
                }
                t = new VendorQualified(type(p), qualifier);
            }
            case 'u' -> {
                p.pos++;
                t = new Name(p.identifier());
            }
            case 'N', 'Z' -> t = p.name(false);
            default -> {
                if (!Character.isDigit(c)) {
                    throw p.fail("unknown type");
                }
                t = p.name(false);
            }
        }
        p.subs.add(t);
        return t;
    }

    private static String builtin(char c) {
        return switch (c) {
            case 'v' -> "void";
            case 'w' -> "wchar_t";
            case 'b' -> "bool";
            case 'c' -> "char";
            case 'a' -> "signed char";
            case 'h' -> "unsigned char";
            case 's' -> "short";
            case 't' -> "unsigned short";
            case 'i' -> "int";
            case 'j' -> "unsigned int";
            case 'l' -> "long";
            case 'm' -> "unsigned long";
            case 'x' -> "long long";
            case 'y' -> "unsigned long long";
            case 'n' -> "__int128";
            case 'o' -> "unsigned __int128";
            case 'f' -> "float";
            case 'd' -> "double";
            case 'e' -> "long double";
            case 'g' -> "__float128";
            case 'z' -> "...";
            default -> null;
        };
    }

    /** The {@code D} types: builtins, pack expansions, decltype, vectors, exception specifications. */
    private static Node dType(Parser p) {
        char c = p.peek(1);
        String builtin = switch (c) {
            case 'd' -> "decimal64";
            case 'e' -> "decimal128";
            case 'f' -> "decimal32";
            case 'h' -> "half";
            case 'i' -> "char32_t";
            case 's' -> "char16_t";
            case 'u' -> "char8_t";
            case 'a' -> "auto";
            case 'c' -> "decltype(auto)";
            case 'n' -> "decltype(nullptr)";
            default -> null;
        };
        if (builtin != null) {
            p.pos += 2;
            return new Name(builtin);
        }
        p.pos += 2;
        switch (c) {
            case 'p' -> {
                return new PackExpansion(type(p));
            }
            case 't', 'T' -> {
                Node e = Expressions.expression(p);
                p.expect('E');
                return new Keyword("decltype", e);
            }
            case 'v' -> {
                Node dim;
                if (Character.isDigit(p.peek())) {
                    dim = new Literal(Integer.toString(p.number()));
                } else {
                    p.expect('_');
                    dim = Expressions.expression(p);
                }
                p.expect('_');
                return new VectorType(type(p), dim);
            }
            case 'F' -> {
                int bits = p.number();
                p.expect('_');
                return new Name("_Float" + bits);
            }
            case 'x', 'o', 'O', 'w' -> {
                p.pos -= 2;
                return functionType(p, "");
            }
            default -> throw p.fail("unknown D type");
        }
    }

    /** {@code [Dx|Do|DO e E|Dw t* E] F [Y] <return> <params> [R|O] E}. */
    private static Node functionType(Parser p, String quals) {
        String exception = "";
        if (p.consume("Do")) {
            exception = " noexcept";
        } else if (p.consume("DO")) {
            Node e = Expressions.expression(p);
            p.expect('E');
            exception = " noexcept(" + Printer.print(e) + ")";
        } else if (p.consume("Dw")) {
            List<String> types = new ArrayList<>();
            while (!p.consume('E')) {
                types.add(Printer.print(type(p)));
            }
            exception = " throw(" + String.join(", ", types) + ")";
        } else {
            p.consume("Dx"); // transaction_safe: c++filt prints nothing for it in this form
        }
        p.expect('F');
        p.consume('Y');
        Node ret = type(p);
        List<Node> params = new ArrayList<>();
        String ref = "";
        while (!p.consume('E')) {
            if (p.peek() == 'R' && p.peek(1) == 'E') {
                p.pos++;
                ref = " &";
            } else if (p.peek() == 'O' && p.peek(1) == 'E') {
                p.pos++;
                ref = " &&";
            } else {
                params.add(type(p));
            }
            if (p.atEnd()) {
                throw p.fail("unterminated function type");
            }
        }
        return new FunctionType(ret, params, quals, ref + exception);
    }

    private static Node arrayType(Parser p) {
        p.expect('A');
        Node dim = null;
        if (Character.isDigit(p.peek())) {
            dim = new Literal(Integer.toString(p.number()));
        } else if (p.peek() != '_') {
            dim = Expressions.expression(p);
        }
        p.expect('_');
        return new ArrayType(type(p), dim);
    }

    /** The index of the template parameter at the cursor, without consuming it. */
    private static int paramIndex(Parser p) {
        int save = p.pos;
        p.expect('T');
        int index = p.consume('_') ? 0 : p.number() + 1;
        p.pos = save;
        return index;
    }

    /** {@code T_}, {@code T<n>_}: the argument it stands for. */
    static Node templateParam(Parser p) {
        p.expect('T');
        int index = p.consume('_') ? 0 : p.number() + 1;
        if (index > 0) {
            p.expect('_');
        }
        if (index < p.templateParams.size()) {
            return p.templateParams.get(index);
        }
        if (p.permitForwardRefs) {
            ForwardRef f = new ForwardRef(index);
            p.forwardRefs.add(f);
            return f;
        }
        throw p.fail("template parameter " + index + " of " + p.templateParams.size());
    }

    /** C++'s reference collapsing: {@code & &&} is {@code &}; only {@code && &&} stays {@code &&}. */
    private static Node reference(Node referee, boolean rvalue) {
        Node inner = referee;
        while (inner instanceof ForwardRef f && f.target != null) {
            inner = f.target;
        }
        if (inner instanceof Reference r) {
            return new Reference(r.referee(), r.rvalue() && rvalue);
        }
        if (inner instanceof ArgPack) {
            return new Reference(referee, rvalue); // collapsed per element when printed
        }
        return new Reference(referee, rvalue);
    }
}
