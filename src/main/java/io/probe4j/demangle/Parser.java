package io.probe4j.demangle;

import io.probe4j.demangle.Node.AbiTagged;
import io.probe4j.demangle.Node.ArgPack;
import io.probe4j.demangle.Node.Conversion;
import io.probe4j.demangle.Node.CtorDtor;
import io.probe4j.demangle.Node.ForwardRef;
import io.probe4j.demangle.Node.Function;
import io.probe4j.demangle.Node.Local;
import io.probe4j.demangle.Node.Name;
import io.probe4j.demangle.Node.Nested;
import io.probe4j.demangle.Node.StdAbbreviation;
import io.probe4j.demangle.Node.WithArgs;
import java.util.ArrayList;
import java.util.List;

/**
 * A recursive-descent parser of Itanium C++ ABI manglings (section 5.1), for the names and encodings;
 * types and expressions are in {@link TypeParser}. Substitution candidates ({@code S_}, {@code S0_},
 * ...) are recorded in the order the ABI defines, and template parameters ({@code T_}) resolve to the
 * arguments of the template being declared. Anything it does not understand is a
 * {@link DemangleException}: the caller then keeps the mangled name, as {@code c++filt} does.
 */
class Parser {
    final String s;
    int pos;
    final List<Node> subs = new ArrayList<>();
    /** Substitution candidates that are template parameters: candidate index to parameter index. */
    final java.util.Map<Integer, Integer> paramCandidates = new java.util.HashMap<>();
    List<Node> templateParams = new ArrayList<>();
    final List<ForwardRef> forwardRefs = new ArrayList<>();
    boolean permitForwardRefs;
    /** The cv- and ref-qualifiers of the member function whose name was just parsed ({@code NK...E}). */
    private String memberQualifiers = "";
    private String memberRef = "";
    private int depth;

    Parser(String s, int pos) {
        this.s = s;
        this.pos = pos;
    }

    // ---- reading

    boolean atEnd() {
        return pos >= s.length();
    }

    char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    char peek(int ahead) {
        return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
    }

    boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    boolean consume(String prefix) {
        if (s.startsWith(prefix, pos)) {
            pos += prefix.length();
            return true;
        }
        return false;
    }

    char next() {
        if (atEnd()) {
            throw fail("unexpected end");
        }
        return s.charAt(pos++);
    }

    void expect(char c) {
        if (!consume(c)) {
            throw fail("expected '" + c + "'");
        }
    }

    DemangleException fail(String what) {
        return new DemangleException(what + " at " + pos + " in " + s);
    }

    /** A non-negative decimal number. */
    int number() {
        int start = pos;
        while (Character.isDigit(peek())) {
            pos++;
        }
        if (start == pos || pos - start > 9) {
            throw fail("expected a number");
        }
        return Integer.parseInt(s, start, pos, 10);
    }

    /** {@code <seq-id>}: base 36 with digits and upper-case letters. */
    int seqId() {
        int v = 0;
        int start = pos;
        while (Character.isDigit(peek()) || Character.isUpperCase(peek())) {
            char c = s.charAt(pos++);
            v = v * 36 + (Character.isDigit(c) ? c - '0' : c - 'A' + 10);
        }
        if (start == pos) {
            throw fail("expected a sequence id");
        }
        return v;
    }

    /** Runs one level of the recursive descent, bounded in depth (a hostile name must not overflow the stack). */
    Node guarded(java.util.function.Function<Parser, Node> level) {
        enter();
        try {
            return level.apply(this);
        } finally {
            leave();
        }
    }

    void enter() {
        if (++depth > 256) {
            throw fail("nesting too deep");
        }
    }

    void leave() {
        depth--;
    }

    // ---- encodings

    /** {@code <encoding>}: a function with its parameter types, a data name, or a special name. */
    Node encoding() {
        enter();
        try {
            if (peek() == 'T' || (peek() == 'G' && "VRTA".indexOf(peek(1)) >= 0)) {
                return SpecialNames.specialName(this);
            }
            List<Node> savedParams = templateParams;
            memberQualifiers = "";
            memberRef = "";
            Node name = name(true);
            String quals = memberQualifiers;
            String ref = memberRef;
            if (atEnd() || peek() == 'E' || peek() == '.') {
                return name;
            }
            boolean returns = isTemplate(name) && !isCtorDtorOrConversion(name);
            Node ret = returns ? type() : null;
            List<Node> params = new ArrayList<>();
            while (!atEnd() && peek() != 'E' && peek() != '.') {
                params.add(type());
            }
            if (params.isEmpty()) {
                throw fail("a function without parameter types");
            }
            Node f = new Function(ret, name, params, quals, ref);
            templateParams = savedParams;
            return f;
        } finally {
            leave();
        }
    }

    private static boolean isTemplate(Node n) {
        return switch (n) {
            case WithArgs w -> true;
            case Nested x -> isTemplate(x.name());
            case Local l -> isTemplate(l.entity());
            case AbiTagged a -> isTemplate(a.name());
            default -> false;
        };
    }

    private static boolean isCtorDtorOrConversion(Node n) {
        return switch (n) {
            case CtorDtor c -> true;
            case Conversion c -> true;
            case Nested x -> isCtorDtorOrConversion(x.name());
            case WithArgs w -> isCtorDtorOrConversion(w.name());
            case Local l -> isCtorDtorOrConversion(l.entity());
            case AbiTagged a -> isCtorDtorOrConversion(a.name());
            default -> false;
        };
    }

    // ---- names

    /**
     * {@code <name>}.
     *
     * @param top whether this is the name of the encoding being parsed: its template arguments are what
     *            {@code T_} refers to
     */
    Node name(boolean top) {
        enter();
        try {
            if (peek() == 'N') {
                return nested(top);
            }
            if (peek() == 'Z') {
                return local(top);
            }
            Node n;
            if (peek() == 'S' && peek(1) != 't') {
                n = substitution();
                if (peek() != 'I') {
                    throw fail("a substitution as a name without template arguments");
                }
            } else {
                boolean std = consume("St");
                n = unqualified(null);
                if (std) {
                    n = new Nested(new Name("std"), n);
                }
                if (peek() == 'I') {
                    subs.add(n);
                }
            }
            if (peek() == 'I') {
                List<Node> args = templateArgs(top);
                n = new WithArgs(n, args);
            }
            return n;
        } finally {
            leave();
        }
    }

    private Node nested(boolean top) {
        expect('N');
        String quals = cvQualifiers();
        String ref = consume('R') ? " &" : consume('O') ? " &&" : "";
        Node sofar = null;
        while (!consume('E')) {
            consume('L');
            Node component;
            if (peek() == 'T') {
                component = TypeParser.templateParam(this);
                sofar = join(sofar, component);
            } else if (peek() == 'I') {
                if (sofar == null) {
                    throw fail("template arguments without a template");
                }
                sofar = new WithArgs(sofar, templateArgs(top)); // the last ones are the entity's own
            } else if (peek() == 'D' && (peek(1) == 't' || peek(1) == 'T')) {
                sofar = join(sofar, TypeParser.type(this));
            } else if (peek() == 'S' && peek(1) != 't') {
                Node sub = substitution();
                sofar = join(sofar, sub);
                continue; // a substitution is not a new candidate
            } else if (consume("St")) {
                sofar = join(sofar, new Name("std"));
                continue; // neither is std::
            } else if (peek() == 'C' || (peek() == 'D' && peek(1) != 'C')) {
                if (sofar == null) {
                    throw fail("a constructor or destructor without a class");
                }
                sofar = join(sofar, UnqualifiedNames.ctorDtor(this, sofar));
            } else {
                sofar = join(sofar, unqualified(sofar));
            }
            subs.add(sofar);
        }
        if (sofar == null || subs.isEmpty()) {
            throw fail("an empty nested name");
        }
        subs.removeLast(); // the whole name is not a candidate (a type's is added by the type)
        if (top) {
            memberQualifiers = quals;
            memberRef = ref;
        }
        return sofar;
    }

    private static Node join(Node prefix, Node component) {
        return prefix == null ? component : new Nested(prefix, component);
    }

    private Node local(boolean top) {
        expect('Z');
        Node function = encoding();
        expect('E');
        if (consume('s')) {
            discriminator();
            return new Local(function, new Name("string literal"));
        }
        if (consume('d')) { // a default argument's entity: Z <encoding> Ed [<number>] _ <name>
            if (peek() != '_') {
                number();
            }
            expect('_');
            return new Local(function, name(false));
        }
        Node entity = name(top);
        discriminator();
        return new Local(function, entity);
    }

    private void discriminator() {
        if (consume("__")) {
            number();
            expect('_');
        } else if (consume('_')) {
            if (!Character.isDigit(peek())) {
                throw fail("bad discriminator");
            }
            pos++;
        }
    }

    /** {@code <unqualified-name>} (with ABI tags); {@code scope} is the enclosing name, for constructors. */
    Node unqualified(Node scope) {
        consume('L'); // internal linkage, GCC's extension
        Node n;
        char c = peek();
        if (Character.isDigit(c)) {
            n = UnqualifiedNames.sourceName(this);
        } else if (c == 'U') {
            n = UnqualifiedNames.unnamedType(this);
        } else if (c == 'C' || (c == 'D' && peek(1) != 'C')) {
            if (scope == null) {
                throw fail("a constructor outside a class");
            }
            n = UnqualifiedNames.ctorDtor(this, scope);
        } else if (Character.isLowerCase(c)) {
            n = Operators.operatorName(this);
        } else {
            throw fail("unknown unqualified name");
        }
        while (peek() == 'B') {
            pos++;
            n = new AbiTagged(n, identifier());
        }
        return n;
    }

    String identifier() {
        int n = number();
        if (n > s.length() - pos) {
            throw fail("an identifier past the end");
        }
        String id = s.substring(pos, pos + n);
        pos += n;
        return id;
    }

    String cvQualifiers() {
        StringBuilder q = new StringBuilder();
        boolean r = consume('r');
        boolean v = consume('V');
        boolean k = consume('K');
        if (k) {
            q.append(" const");
        }
        if (v) {
            q.append(" volatile");
        }
        if (r) {
            q.append(" restrict");
        }
        return q.toString();
    }

    // ---- substitutions and template arguments

    /** {@code <substitution>}. */
    Node substitution() {
        expect('S');
        if (consume('_')) {
            return sub(0);
        }
        char c = peek();
        if (Character.isDigit(c) || Character.isUpperCase(c)) {
            int id = seqId() + 1;
            expect('_');
            return sub(id);
        }
        pos++;
        // c++filt spells these out in full wherever they appear (it demangles with DMGL_VERBOSE)
        return switch (c) {
            case 'a' -> new StdAbbreviation("std::allocator", "allocator");
            case 'b' -> new StdAbbreviation("std::basic_string", "basic_string");
            case 's' -> new StdAbbreviation("std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "basic_string");
            case 'i' -> new StdAbbreviation("std::basic_istream<char, std::char_traits<char> >", "basic_istream");
            case 'o' -> new StdAbbreviation("std::basic_ostream<char, std::char_traits<char> >", "basic_ostream");
            case 'd' -> new StdAbbreviation("std::basic_iostream<char, std::char_traits<char> >", "basic_iostream");
            default -> throw fail("unknown substitution");
        };
    }

    private Node sub(int index) {
        if (index >= subs.size()) {
            throw fail("substitution " + index + " of " + subs.size());
        }
        // A template parameter stands for the argument of the template in whose context it is used
        // again, as libiberty resolves it when printing (this matters inside local names).
        Integer param = paramCandidates.get(index);
        if (param != null && param < templateParams.size()) {
            return templateParams.get(param);
        }
        return subs.get(index);
    }

    /** {@code I <template-arg>+ E}; for the declared entity's own arguments, they become what T_ names. */
    List<Node> templateArgs(boolean own) {
        expect('I');
        List<Node> saved = templateParams;
        List<Node> args = new ArrayList<>();
        while (!consume('E')) {
            args.add(templateArg());
            if (atEnd()) {
                throw fail("unterminated template arguments");
            }
        }
        if (own) {
            templateParams = args;
            for (ForwardRef f : forwardRefs) {
                if (f.target == null && f.index < args.size()) {
                    f.target = args.get(f.index);
                }
            }
        } else {
            templateParams = saved;
        }
        return args;
    }

    private Node templateArg() {
        if (consume('X')) {
            Node e = Expressions.expression(this);
            expect('E');
            return e;
        }
        if (peek() == 'L') {
            return Expressions.primary(this);
        }
        if (consume('J')) {
            List<Node> pack = new ArrayList<>();
            while (!consume('E')) {
                pack.add(templateArg());
                if (atEnd()) {
                    throw fail("unterminated argument pack");
                }
            }
            return new ArgPack(pack);
        }
        return TypeParser.type(this);
    }

    Node type() {
        return TypeParser.type(this);
    }
}
