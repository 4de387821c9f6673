package io.probe4j.demangle;

import io.probe4j.demangle.Node.ConstructionVtable;
import io.probe4j.demangle.Node.Special;

/** {@code <special-name>}: vtables, typeinfo, thunks, guard variables and their kin (Itanium C++ ABI 5.1.4). */
final class SpecialNames {
    private SpecialNames() {
    }

    static Node specialName(Parser p) {
        if (p.consume("TV")) {
            return new Special("vtable for ", p.type());
        }
        if (p.consume("TT")) {
            return new Special("VTT for ", p.type());
        }
        if (p.consume("TI")) {
            return new Special("typeinfo for ", p.type());
        }
        if (p.consume("TS")) {
            return new Special("typeinfo name for ", p.type());
        }
        if (p.consume("TW")) {
            return new Special("TLS wrapper function for ", p.name(false));
        }
        if (p.consume("TH")) {
            return new Special("TLS init function for ", p.name(false));
        }
        if (p.consume("Th")) {
            callOffset(p, 'h');
            return new Special("non-virtual thunk to ", p.encoding());
        }
        if (p.consume("Tv")) {
            callOffset(p, 'v');
            return new Special("virtual thunk to ", p.encoding());
        }
        if (p.consume("Tc")) {
            callOffset(p, p.next());
            callOffset(p, p.next());
            return new Special("covariant return thunk to ", p.encoding());
        }
        if (p.consume("TC")) {
            Node whole = p.type();
            p.number();
            p.expect('_');
            Node part = p.type();
            return new ConstructionVtable(part, whole);
        }
        if (p.consume("GV")) {
            return new Special("guard variable for ", p.name(false));
        }
        if (p.consume("GR")) { // as libiberty reads it: a name and a number (not the newer [<seq-id>] _)
            Node n = p.name(false);
            return new Special("reference temporary #" + p.number() + " for ", n);
        }
        if (p.consume("GTt")) {
            return new Special("transaction clone for ", p.encoding());
        }
        if (p.consume("GA")) {
            return new Special("hidden alias for ", p.encoding());
        }
        throw p.fail("unknown special name");
    }

    private static void callOffset(Parser p, char kind) {
        if (kind == 'h') {
            signedNumber(p);
            p.expect('_');
        } else if (kind == 'v') {
            signedNumber(p);
            p.expect('_');
            signedNumber(p);
            p.expect('_');
        } else {
            throw p.fail("bad call offset");
        }
    }

    private static String signedNumber(Parser p) {
        boolean negative = p.consume('n');
        return (negative ? "-" : "") + p.number();
    }
}
