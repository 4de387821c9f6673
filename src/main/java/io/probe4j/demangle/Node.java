package io.probe4j.demangle;

import java.util.List;

/**
 * The parts of a demangled name (Itanium C++ ABI, section 5.1 "External Names"). {@link Printer} turns
 * them into text; template parameters and substitutions are resolved while parsing, so a node is
 * always printable as it is.
 */
sealed interface Node {
    /** An identifier or a fixed word: {@code foo}, {@code int}, {@code operator+}, {@code (anonymous namespace)}. */
    record Name(String text) implements Node {
    }

    /** {@code prefix::name}. */
    record Nested(Node prefix, Node name) implements Node {
    }

    /** {@code name<args>}. */
    record WithArgs(Node name, List<Node> args) implements Node {
    }

    /** {@code name[abi:tag]}. */
    record AbiTagged(Node name, String tag) implements Node {
    }

    /** A constructor ({@code C1}...) or destructor ({@code D0}...) of the class {@code owner}. */
    record CtorDtor(Node owner, boolean destructor) implements Node {
    }

    /** {@code operator TYPE}. */
    record Conversion(Node type) implements Node {
    }

    /**
     * One of the abbreviations {@code Sa Sb Ss Si So Sd}: {@code text} as printed, {@code base} its
     * class's own name (what a constructor of it is called).
     */
    record StdAbbreviation(String text, String base) implements Node {
    }

    /** {@code type const}, {@code type volatile}, {@code type restrict} ({@code qualifiers} with a leading space). */
    record Qualified(Node type, String qualifiers) implements Node {
    }

    record Pointer(Node pointee) implements Node {
    }

    /** {@code &} or {@code &&}, collapsed as C++ collapses references to references. */
    record Reference(Node referee, boolean rvalue) implements Node {
    }

    /**
     * A function type; {@code qualifiers} and {@code ref} are those of a member function type
     * ({@code " const"}, {@code " &"}), with their leading space.
     */
    record FunctionType(Node returnType, List<Node> params, String qualifiers, String ref) implements Node {
    }

    record ArrayType(Node element, Node dimension) implements Node {
    }

    /** {@code member cls::*}. */
    record MemberPointer(Node cls, Node member) implements Node {
    }

    /** GCC's vector extension: {@code float __vector(4)}. */
    record VectorType(Node element, Node dimension) implements Node {
    }

    /** A vendor-qualified type: {@code int foo}. */
    record VendorQualified(Node type, String qualifier) implements Node {
    }

    /** {@code pattern...}: printed once per element of the pack inside it. */
    record PackExpansion(Node pattern) implements Node {
    }

    /** The arguments of a template parameter pack ({@code J...E}). */
    record ArgPack(List<Node> elements) implements Node {
    }

    /** A function's encoding; {@code returnType} is null where the mangling gives none. */
    record Function(Node returnType, Node name, List<Node> params, String qualifiers, String ref) implements Node {
    }

    /** {@code vtable for X}, {@code typeinfo for X}, {@code non-virtual thunk to X}, ... */
    record Special(String what, Node target) implements Node {
    }

    /** {@code construction vtable for A-in-B}. */
    record ConstructionVtable(Node part, Node whole) implements Node {
    }

    /** An entity local to a function: {@code function::entity}. */
    record Local(Node function, Node entity) implements Node {
    }

    /** {@code {lambda(params)#N}}. */
    record Lambda(List<Node> params, int number) implements Node {
    }

    /** {@code {unnamed type#N}}. */
    record Unnamed(int number) implements Node {
    }

    /** A literal's text ({@code 5}, {@code 5u}, {@code true}, {@code (char)65}). */
    record Literal(String text) implements Node {
    }

    /** {@code {parm#N}}: a function parameter in an expression. */
    record FunctionParam(int number) implements Node {
    }

    /** A binary operator expression: {@code (left)op(right)}. */
    record Binary(String operator, Node left, Node right) implements Node {
    }

    /** A prefix operator expression: {@code op(operand)}. */
    record Prefix(String operator, Node operand) implements Node {
    }

    /** {@code keyword (operand)}: {@code sizeof (int)}, {@code decltype (x)}, {@code alignof (T)}. */
    record Keyword(String keyword, Node operand) implements Node {
    }

    /** {@code function(args)} in an expression. */
    record Call(Node function, List<Node> args) implements Node {
    }

    /** {@code (type)(operand)}. */
    record Cast(Node type, List<Node> operands) implements Node {
    }

    /** A template parameter used before its arguments are parsed (a conversion operator's type). */
    final class ForwardRef implements Node {
        final int index;
        Node target;

        ForwardRef(int index) {
            this.index = index;
        }
    }
}
