package io.probe4j.filter;

import java.util.List;

/**
 * A parsed event filter: predicates joined by {@code &&} (binding tighter) and {@code ||}, each predicate
 * or parenthesized group possibly negated by {@code !}. A predicate keeps the field it names, resolved
 * against the event's fields, so that evaluation needs no more lookups.
 */
public sealed interface FilterExpr {

    /** {@code a || b || ...}: true when one term is, evaluated left to right until one is. */
    record Or(List<FilterExpr> terms) implements FilterExpr {
        public Or {
            terms = List.copyOf(terms);
        }
    }

    /** {@code a && b && ...}: true when every term is, evaluated left to right until one is not. */
    record And(List<FilterExpr> terms) implements FilterExpr {
        public And {
            terms = List.copyOf(terms);
        }
    }

    /** {@code !a} or {@code !(...)}. */
    record Not(FilterExpr operand) implements FilterExpr {
    }

    /**
     * {@code FIELD[.ustring][.function] OP VALUE}.
     *
     * @param field    the field named
     * @param op       the operator as written
     * @param operand  the value
     * @param position where the predicate starts in the filter text
     */
    record Predicate(EventField field, Op op, Operand operand, int position) implements FilterExpr {
    }

    /** The operators, in the order the kernel tries them (so that {@code <=} is found before {@code <}). */
    enum Op {
        GLOB("~"), NE("!="), EQ("=="), LE("<="), LT("<"), GE(">="), GT(">"), BAND("&");

        private final String text;

        Op(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** The value side of a predicate. */
    sealed interface Operand {
        /** An integer, already read as the field's signedness says (kstrtoll or kstrtoull). */
        record Number(long value) implements Operand {
        }

        /** A quoted string, turned into the kernel's kind of match for the operator. */
        record Text(StringPattern pattern) implements Operand {
        }

        /** {@code CPUS{list}}: a set of CPUs ({@code cpulist_parse}); {@code nrCpuIds} bounds the CPU numbers. */
        record Cpus(java.util.BitSet cpus, int nrCpuIds) implements Operand {
            public Cpus {
                cpus = (java.util.BitSet) cpus.clone();
            }

            @Override
            public java.util.BitSet cpus() {
                return (java.util.BitSet) cpus.clone();
            }

            int weight() {
                return cpus.cardinality();
            }

            boolean has(long cpu) {
                return cpu >= 0 && cpu < Integer.MAX_VALUE && cpus.get((int) cpu);
            }
        }

        /**
         * {@code .function == NAME}: the kernel function at {@code start}, and which addresses lie inside it
         * (up to the next kernel function, as {@code kallsyms_lookup_size_offset} sizes it).
         */
        record Function(String text, long start, java.util.function.LongPredicate inside) implements Operand {
        }
    }
}
