package io.probe4j.demangle;

import io.probe4j.demangle.Node.CtorDtor;
import io.probe4j.demangle.Node.Lambda;
import io.probe4j.demangle.Node.Name;
import io.probe4j.demangle.Node.Unnamed;
import java.util.ArrayList;
import java.util.List;

/** The unqualified names that are not operators: source names, lambdas and unnamed types, constructors and destructors. */
final class UnqualifiedNames {
    private UnqualifiedNames() {
    }

    static Node sourceName(Parser p) {
        String id = p.identifier();
        if (id.startsWith("_GLOBAL_") && id.length() > 9 && "._$".indexOf(id.charAt(8)) >= 0 && id.charAt(9) == 'N') {
            return new Name("(anonymous namespace)");
        }
        return new Name(id);
    }

    static Node unnamedType(Parser p) {
        if (p.consume("Ut")) {
            int n = p.peek() == '_' ? 1 : p.number() + 2;
            p.expect('_');
            return new Unnamed(n);
        }
        if (p.consume("Ul")) {
            List<Node> saved = p.templateParams;
            List<Node> params = new ArrayList<>();
            while (p.peek() != 'E') {
                params.add(TypeParser.type(p));
            }
            p.pos++;
            p.templateParams = saved;
            int n = p.peek() == '_' ? 1 : p.number() + 2;
            p.expect('_');
            if (params.size() == 1 && params.getFirst() instanceof Name v && v.text().equals("void")) {
                params = List.of();
            }
            return new Lambda(params, n);
        }
        throw p.fail("unknown unnamed type");
    }

    static Node ctorDtor(Parser p, Node scope) {
        if (p.consume('C')) {
            p.consume('I'); // inheriting constructor: C I1 <type>
            char k = p.next();
            if ("12345".indexOf(k) < 0) {
                throw p.fail("bad constructor kind");
            }
            if (p.s.charAt(p.pos - 2) == 'I') {
                TypeParser.type(p);
            }
            return new CtorDtor(scope, false);
        }
        p.expect('D');
        char k = p.next();
        if ("01245".indexOf(k) < 0) {
            throw p.fail("bad destructor kind");
        }
        return new CtorDtor(scope, true);
    }
}
