package io.probe4j.demangle;

import io.probe4j.demangle.Node.AbiTagged;
import io.probe4j.demangle.Node.ArgPack;
import io.probe4j.demangle.Node.ArrayType;
import io.probe4j.demangle.Node.Binary;
import io.probe4j.demangle.Node.Call;
import io.probe4j.demangle.Node.Cast;
import io.probe4j.demangle.Node.ConstructionVtable;
import io.probe4j.demangle.Node.Conversion;
import io.probe4j.demangle.Node.CtorDtor;
import io.probe4j.demangle.Node.ForwardRef;
import io.probe4j.demangle.Node.Function;
import io.probe4j.demangle.Node.FunctionParam;
import io.probe4j.demangle.Node.FunctionType;
import io.probe4j.demangle.Node.Keyword;
import io.probe4j.demangle.Node.Lambda;
import io.probe4j.demangle.Node.Literal;
import io.probe4j.demangle.Node.Local;
import io.probe4j.demangle.Node.MemberPointer;
import io.probe4j.demangle.Node.Name;
import io.probe4j.demangle.Node.Nested;
import io.probe4j.demangle.Node.PackExpansion;
import io.probe4j.demangle.Node.Pointer;
import io.probe4j.demangle.Node.Prefix;
import io.probe4j.demangle.Node.Qualified;
import io.probe4j.demangle.Node.Reference;
import io.probe4j.demangle.Node.Special;
import io.probe4j.demangle.Node.StdAbbreviation;
import io.probe4j.demangle.Node.Unnamed;
import io.probe4j.demangle.Node.VendorQualified;
import io.probe4j.demangle.Node.VectorType;
import io.probe4j.demangle.Node.WithArgs;
import java.util.List;

/**
 * Prints nodes as {@code c++filt} does. Declarator types print in two halves around what they declare
 * ({@code void (*)(int)}: "{@code void (*}" before, "{@code )(int)}" after), so each node has a left
 * and a right part; a pack expansion prints its pattern once per element of its pack.
 */
final class Printer {
    private final StringBuilder out = new StringBuilder();
    private int packIndex = -1;

    static String print(Node n) {
        Printer p = new Printer();
        p.emit(n);
        return p.out.toString();
    }

    private void emit(Node n) {
        left(n);
        right(n);
    }

    private String alone(Node n) {
        Printer p = new Printer();
        p.packIndex = packIndex;
        p.emit(n);
        return p.out.toString();
    }

    private void left(Node n) {
        switch (n) {
            case Name x -> out.append(x.text());
            case Nested x -> {
                emit(x.prefix());
                out.append("::");
                emit(x.name());
            }
            case WithArgs x -> {
                emit(x.name());
                templateArgs(x.args());
            }
            case AbiTagged x -> {
                emit(x.name());
                out.append("[abi:").append(x.tag()).append(']');
            }
            case CtorDtor x -> out.append(x.destructor() ? "~" : "").append(baseName(x.owner()));
            case Conversion x -> {
                out.append("operator ");
                emit(x.type());
            }
            case StdAbbreviation x -> out.append(x.text());
            case Qualified x -> {
                left(x.type());
                out.append(x.qualifiers());
            }
            case Pointer x -> declaratorLeft(x.pointee(), "*");
            case Reference x -> declaratorLeft(x.referee(), x.rvalue() ? "&&" : "&");
            case FunctionType x -> {
                left(x.returnType());
                if (!hasRight(x.returnType())) { // a returned function pointer wraps the declarator: int (*(*)())()
                    out.append(' ');
                }
            }
            case ArrayType x -> left(x.element());
            case MemberPointer x -> {
                left(x.member());
                out.append(hasArray(x.member()) || hasFunction(x.member()) ? "(" : " ");
                emit(x.cls());
                out.append("::*");
            }
            case VectorType x -> {
                emit(x.element());
                out.append(" __vector(");
                emit(x.dimension());
                out.append(')');
            }
            case VendorQualified x -> {
                emit(x.type());
                out.append(' ').append(x.qualifier());
            }
            case PackExpansion x -> packExpansion(x);
            case ArgPack x -> {
                if (packIndex >= 0 && packIndex < x.elements().size()) {
                    left(x.elements().get(packIndex));
                } else {
                    out.append(join(x.elements()));
                }
            }
            case Function x -> {
                if (x.returnType() != null) {
                    left(x.returnType());
                    if (!hasRight(x.returnType())) {
                        out.append(' ');
                    }
                }
                emit(x.name());
            }
            case Special x -> {
                out.append(x.what());
                emit(x.target());
            }
            case ConstructionVtable x -> {
                out.append("construction vtable for ");
                emit(x.part());
                out.append("-in-");
                emit(x.whole());
            }
            case Local x -> {
                // the enclosing function without its return type, as c++filt prints it
                emit(x.function() instanceof Function f && f.returnType() != null
                        ? new Function(null, f.name(), f.params(), f.qualifiers(), f.ref()) : x.function());
                out.append("::");
                emit(x.entity());
            }
            case Lambda x -> out.append("{lambda(").append(join(x.params())).append(")#").append(x.number()).append('}');
            case Unnamed x -> out.append("{unnamed type#").append(x.number()).append('}');
            case Literal x -> out.append(x.text());
            case FunctionParam x -> out.append("{parm#").append(x.number()).append('}');
            case Binary x -> {
                subexpression(x.left());
                out.append(x.operator());
                subexpression(x.right());
            }
            case Prefix x -> {
                out.append(x.operator());
                subexpression(x.operand());
            }
            case Keyword x -> {
                out.append(x.keyword()).append(" (");
                emit(x.operand());
                out.append(')');
            }
            case Call x -> {
                subexpression(x.function());
                out.append('(').append(join(x.args())).append(')');
            }
            case Cast x -> {
                out.append('(');
                emit(x.type());
                out.append(")(").append(join(x.operands())).append(')');
            }
            case ForwardRef x -> {
                if (x.target != null) {
                    left(x.target);
                }
            }
        }
    }

    private void right(Node n) {
        switch (n) {
            case Qualified x -> right(x.type());
            case Pointer x -> declaratorRight(x.pointee());
            case Reference x -> declaratorRight(x.referee());
            case FunctionType x -> {
                out.append('(').append(params(x.params())).append(')');
                right(x.returnType());
                out.append(x.qualifiers()).append(x.ref());
            }
            case ArrayType x -> {
                if (out.isEmpty() || out.charAt(out.length() - 1) != ']') {
                    out.append(' ');
                }
                out.append('[');
                if (x.dimension() != null) {
                    emit(x.dimension());
                }
                out.append(']');
                right(x.element());
            }
            case MemberPointer x -> {
                if (hasArray(x.member()) || hasFunction(x.member())) {
                    out.append(')');
                }
                right(x.member());
            }
            case ArgPack x -> {
                if (packIndex >= 0 && packIndex < x.elements().size()) {
                    right(x.elements().get(packIndex));
                }
            }
            case Function x -> {
                out.append('(').append(params(x.params())).append(')');
                if (x.returnType() != null) {
                    right(x.returnType());
                }
                out.append(x.qualifiers()).append(x.ref());
            }
            case ForwardRef x -> {
                if (x.target != null) {
                    right(x.target);
                }
            }
            default -> {
            }
        }
    }

    private void declaratorLeft(Node inner, String symbol) {
        left(inner);
        if (hasArray(inner)) {
            out.append(' ');
        }
        if (hasArray(inner) || hasFunction(inner)) {
            out.append('(');
        }
        out.append(symbol);
    }

    private void declaratorRight(Node inner) {
        if (hasArray(inner) || hasFunction(inner)) {
            out.append(')');
        }
        right(inner);
    }

    private void packExpansion(PackExpansion x) {
        ArgPack pack = findPack(x.pattern());
        if (pack == null) {
            emit(x.pattern());
            out.append("...");
            return;
        }
        int saved = packIndex;
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < pack.elements().size(); i++) {
            packIndex = i;
            String one = alone(x.pattern());
            if (!one.isEmpty()) {
                joined.append(joined.isEmpty() ? "" : ", ").append(one);
            }
        }
        packIndex = saved;
        out.append(joined);
    }

    /** The first argument pack in a pack expansion's pattern (what it expands). */
    private static ArgPack findPack(Node n) {
        return switch (n) {
            case ArgPack p -> p;
            case Qualified x -> findPack(x.type());
            case Pointer x -> findPack(x.pointee());
            case Reference x -> findPack(x.referee());
            case WithArgs x -> {
                for (Node a : x.args()) {
                    ArgPack p = findPack(a);
                    if (p != null) {
                        yield p;
                    }
                }
                yield findPack(x.name());
            }
            case Nested x -> {
                ArgPack p = findPack(x.prefix());
                yield p != null ? p : findPack(x.name());
            }
            case FunctionType x -> {
                ArgPack p = findPack(x.returnType());
                for (Node a : x.params()) {
                    if (p == null) {
                        p = findPack(a);
                    }
                }
                yield p;
            }
            case ForwardRef x -> x.target == null ? null : findPack(x.target);
            default -> null;
        };
    }

    private void templateArgs(List<Node> args) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) == '<') {
            out.append(' '); // operator< <int>
        }
        out.append('<').append(join(args));
        if (out.charAt(out.length() - 1) == '>') {
            out.append(' ');
        }
        out.append('>');
    }

    /** A parameter list: {@code (void)} prints as {@code ()}. */
    private String params(List<Node> params) {
        if (params.size() == 1 && params.getFirst() instanceof Name n && n.text().equals("void")) {
            return "";
        }
        return join(params);
    }

    /** Comma-separated, leaving out what prints as nothing (an empty pack). */
    private String join(List<Node> nodes) {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            String s = alone(n);
            if (!s.isEmpty()) {
                b.append(b.isEmpty() ? "" : ", ").append(s);
            }
        }
        return b.toString();
    }

    /** An operand: names and parameters bare, everything else in parentheses (as libiberty prints them). */
    private void subexpression(Node n) {
        boolean simple = n instanceof Name || n instanceof Nested || n instanceof FunctionParam;
        out.append(simple ? "" : "(");
        emit(n);
        out.append(simple ? "" : ")");
    }

    /** The name a constructor of {@code owner} has: its last component, without template arguments. */
    private String baseName(Node owner) {
        return switch (owner) {
            case Nested x -> baseName(x.name());
            case WithArgs x -> baseName(x.name());
            case AbiTagged x -> baseName(x.name());
            case StdAbbreviation x -> x.base();
            case ForwardRef x -> x.target == null ? "" : baseName(x.target);
            default -> alone(owner);
        };
    }

    private boolean hasFunction(Node n) {
        return switch (n) {
            case FunctionType x -> true;
            case Qualified x -> hasFunction(x.type());
            case ArgPack x -> packIndex >= 0 && packIndex < x.elements().size() && hasFunction(x.elements().get(packIndex));
            case ForwardRef x -> x.target != null && hasFunction(x.target);
            default -> false;
        };
    }

    private boolean hasArray(Node n) {
        return switch (n) {
            case ArrayType x -> true;
            case Qualified x -> hasArray(x.type());
            case ArgPack x -> packIndex >= 0 && packIndex < x.elements().size() && hasArray(x.elements().get(packIndex));
            case ForwardRef x -> x.target != null && hasArray(x.target);
            default -> false;
        };
    }

    /** Whether the node prints anything after what it declares. */
    private boolean hasRight(Node n) {
        return switch (n) {
            case FunctionType x -> true;
            case ArrayType x -> true;
            case Qualified x -> hasRight(x.type());
            case Pointer x -> hasRight(x.pointee());
            case Reference x -> hasRight(x.referee());
            case MemberPointer x -> hasRight(x.member());
            case ArgPack x -> packIndex >= 0 && packIndex < x.elements().size() && hasRight(x.elements().get(packIndex));
            case ForwardRef x -> x.target != null && hasRight(x.target);
            default -> false;
        };
    }
}
