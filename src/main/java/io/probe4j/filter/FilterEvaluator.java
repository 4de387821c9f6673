package io.probe4j.filter;

import io.probe4j.filter.FilterExpr.Op;
import io.probe4j.filter.FilterExpr.Operand;

/**
 * Evaluates a filter over an event as the kernel's predicate functions do ({@code filter_pred_*}, chosen by
 * {@code select_comparison_fn}): integers are cut to the field's size and compared signed or unsigned as
 * the field is; {@code ==}/{@code !=} compare bits; a field of a size other than 1, 2, 4 or 8 bytes
 * (an array of three bytes, say) matches nothing; {@code CPU & N} matches nothing; strings match as
 * {@link StringPattern} says. Predicates have no side effects, so {@code &&} and {@code ||} stop at the
 * first term that decides, as the kernel's program does.
 */
final class FilterEvaluator {
    private FilterEvaluator() {
    }

    static boolean matches(FilterExpr e, EventRecord r) {
        return switch (e) {
            case FilterExpr.Or or -> {
                for (FilterExpr t : or.terms()) {
                    if (matches(t, r)) {
                        yield true;
                    }
                }
                yield false;
            }
            case FilterExpr.And and -> {
                for (FilterExpr t : and.terms()) {
                    if (!matches(t, r)) {
                        yield false;
                    }
                }
                yield true;
            }
            case FilterExpr.Not not -> !matches(not.operand(), r);
            case FilterExpr.Predicate p -> predicate(p, r);
        };
    }

    private static boolean predicate(FilterExpr.Predicate p, EventRecord r) {
        EventField f = p.field();
        return switch (p.operand()) {
            case Operand.Text t -> {
                EventRecord.Text v = r.text(f);
                yield t.pattern().matches(v.bytes(), v.len());
            }
            case Operand.Number n -> f.kind() == EventField.Kind.CPU ? cpu(p.op(), r.cpu(), (int) n.value())
                    : number(p.op(), r.number(f), n.value(), f.size(), f.signed());
            case Operand.Cpus c -> cpus(p.op(), f, c, r);
            case Operand.Function fn -> fn.inside().test(r.number(f)) == (p.op() == Op.EQ);
        };
    }

    /** {@code filter_pred_cpu}: the CPU against an int; {@code &} is no comparison there. */
    private static boolean cpu(Op op, int cpu, int value) {
        return switch (op) {
            case EQ -> cpu == value;
            case NE -> cpu != value;
            case LT -> cpu < value;
            case LE -> cpu <= value;
            case GT -> cpu > value;
            case GE -> cpu >= value;
            default -> false;
        };
    }

    /** {@code filter_pred_<size>} and {@code filter_pred_[su]<bits>}. */
    static boolean number(Op op, long raw, long value, int size, boolean signed) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            return false;
        }
        int shift = 64 - 8 * size;
        long a = signed ? raw << shift >> shift : raw << shift >>> shift;
        long b = signed ? value << shift >> shift : value << shift >>> shift;
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> (signed ? Long.compare(a, b) : Long.compareUnsigned(a, b)) < 0;
            case LE -> (signed ? Long.compare(a, b) : Long.compareUnsigned(a, b)) <= 0;
            case GT -> (signed ? Long.compare(a, b) : Long.compareUnsigned(a, b)) > 0;
            case GE -> (signed ? Long.compare(a, b) : Long.compareUnsigned(a, b)) >= 0;
            case BAND -> (a & b) != 0;
            case GLOB -> false;
        };
    }

    /**
     * {@code FIELD OP CPUS{...}}: a one-CPU list is that CPU as a number ({@code &} becoming {@code ==}); a
     * longer one is a mask that a CPU is in ({@code &}) and that no single CPU equals.
     */
    private static boolean cpus(Op op, EventField f, Operand.Cpus c, EventRecord r) {
        boolean cpuField = f.kind() == EventField.Kind.CPU;
        if (c.weight() == 1) {
            int only = c.cpus().nextSetBit(0);
            Op eq = op == Op.BAND ? Op.EQ : op;
            return cpuField ? cpu(eq, r.cpu(), only) : number(eq, r.number(f), only, f.size(), false);
        }
        long cpu;
        if (cpuField) {
            cpu = r.cpu();
        } else {
            int size = f.size();
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                return false;
            }
            long raw = r.number(f);
            cpu = (size == 8 ? raw : raw & ((1L << (8 * size)) - 1)) & 0xffffffffL; // as an unsigned int
            if (cpu >= c.nrCpuIds()) {
                return false;
            }
        }
        return switch (op) {
            case EQ -> false;
            case NE -> true;
            case BAND -> c.has(cpu);
            default -> false;
        };
    }
}
