package io.probe4j.filter;

import io.probe4j.filter.FilterExpr.Op;
import io.probe4j.filter.FilterExpr.Operand;
import io.probe4j.spec.Errno;
import io.probe4j.spec.KernelNumbers;
import io.probe4j.spec.KernelSymbols;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Optional;

/**
 * One predicate, {@code FIELD[.ustring][.function] OP VALUE}, read the way the kernel's {@code parse_pred()}
 * reads it: the same checks in the same order, so that a bad predicate fails with the kernel's error at the
 * kernel's position. Positions are the kernel's: counted from one past the predicate's first byte.
 */
final class PredicateParser {
    /** {@code MAX_FILTER_STR_VAL}: a quoted string must be shorter. */
    private static final int MAX_STRING = 256;
    /** {@code sizeof(num_buf)}: a number's text must be shorter. */
    private static final int MAX_NUMBER = 24;

    private final String s;
    private final EventFields fields;
    private final HostKernel host;

    /** A parsed predicate and how many bytes of the filter it took. */
    record Parsed(FilterExpr.Predicate predicate, int length) {
    }

    PredicateParser(String filter, EventFields fields, HostKernel host) {
        this.s = filter;
        this.fields = fields;
        this.host = host;
    }

    /** The predicate starting at {@code start} (a byte that is not white space). */
    Parsed parse(int start) {
        int pos = start + 1;
        int i = 0;
        while (Ctype.isSpace(at(start + i))) {
            i++;
        }
        int nameStart = i;
        while (Ctype.isAlnum(at(start + i)) || at(start + i) == '_') {
            i++;
        }
        if (i == nameStart) {
            // the kernel returns -1 without a parse error
            throw new FilterException(s, FilterError.UNSPECIFIED, 0, Errno.EPERM);
        }
        String name = s.substring(start + nameStart, start + i);
        Optional<EventField> found = fields.find(name);
        if (found.isEmpty()) {
            throw error(FilterError.FIELD_NOT_FOUND, pos + i);
        }
        EventField field = found.get();
        if (s.startsWith(".ustring", start + i)) {
            i += ".ustring".length(); // only char pointers care; probe events have none
        }
        boolean function = s.startsWith(".function", start + i);
        if (function) {
            i += ".function".length();
        }
        while (Ctype.isSpace(at(start + i))) {
            i++;
        }
        Op op = null;
        for (Op o : Op.values()) {
            if (s.startsWith(o.text(), start + i)) {
                op = o;
                break;
            }
        }
        if (op == null) {
            throw error(FilterError.INVALID_OP, pos + i);
        }
        i += op.text().length();
        while (Ctype.isSpace(at(start + i))) {
            i++;
        }
        int valueStart = i;
        Operand operand;
        int c = at(start + i);
        if (function) {
            return function(field, op, start, i, pos);
        } else if (s.startsWith("CPUS", start + i)) {
            return cpus(field, op, start, i, pos);
        } else if (c == '\'' || c == '"') {
            if (op != Op.NE && op != Op.GLOB && op != Op.EQ) {
                throw error(FilterError.ILLEGAL_FIELD_OP, pos + i);
            }
            if (!field.isString()) {
                throw error(FilterError.EXPECT_DIGIT, pos + i);
            }
            for (i++; at(start + i) != 0; i++) {
                if (at(start + i) == c) {
                    break;
                }
            }
            if (at(start + i) == 0) {
                throw error(FilterError.MISSING_QUOTE, pos + i);
            }
            int len = i - (valueStart + 1);
            if (len >= MAX_STRING) {
                throw error(FilterError.OPERAND_TOO_LONG, pos + i);
            }
            byte[] text = s.substring(start + valueStart + 1, start + i).getBytes(StandardCharsets.ISO_8859_1);
            operand = new Operand.Text(StringPattern.of(op, text));
            i++;
        } else if (Ctype.isDigit(c) || c == '-') {
            if (field.isString()) {
                throw error(FilterError.EXPECT_STRING, pos + i);
            }
            if (op == Op.GLOB) {
                throw error(FilterError.ILLEGAL_FIELD_OP, pos + i);
            }
            if (c == '-') {
                i++;
            }
            while (Ctype.isAlnum(at(start + i))) {
                i++;
            }
            if (i - valueStart >= MAX_NUMBER) {
                throw error(FilterError.OPERAND_TOO_LONG, pos + i);
            }
            String text = s.substring(start + valueStart, start + i);
            KernelNumbers.Num n = field.signed() ? KernelNumbers.kstrtoll(text, 0) : KernelNumbers.kstrtoull(text, 0);
            if (!n.ok()) {
                throw error(FilterError.ILLEGAL_INTVAL, pos + valueStart);
            }
            operand = new Operand.Number(n.value());
        } else {
            throw error(FilterError.INVALID_VALUE, pos + i);
        }
        return new Parsed(new FilterExpr.Predicate(field, op, operand, start), i);
    }

    /** {@code FIELD.function == NAME|ADDRESS}: a long-sized field against a kernel function. */
    private Parsed function(EventField field, Op op, int start, int i, int pos) {
        if (field.size() != 8) {
            throw error(FilterError.ILLEGAL_FIELD_OP, pos + i);
        }
        if (op != Op.EQ && op != Op.NE) {
            throw error(FilterError.INVALID_OP, pos + i);
        }
        int valueStart = i;
        KernelSymbols symbols = host.symbols().get();
        long ip;
        if (Ctype.isDigit(at(start + i))) {
            while (Ctype.isAlnum(at(start + i))) {
                i++;
            }
            if (i - valueStart >= MAX_NUMBER) {
                throw error(FilterError.OPERAND_TOO_LONG, pos + i);
            }
            KernelNumbers.Num n = KernelNumbers.kstrtoull(s.substring(start + valueStart, start + i), 0);
            if (!n.ok()) {
                throw error(FilterError.INVALID_VALUE, pos + i);
            }
            ip = n.value();
        } else {
            while (at(start + i) != 0 && !Ctype.isSpace(at(start + i))) {
                i++;
            }
            ip = symbols.address(s.substring(start + valueStart, start + i)).orElse(0);
            if (ip == 0) {
                throw error(FilterError.NO_FUNCTION, pos + i);
            }
        }
        Optional<KernelSymbols.Entry> fn = symbols.functionContaining(ip);
        if (fn.isEmpty()) {
            throw error(FilterError.NO_FUNCTION, pos + i);
        }
        KernelSymbols.Entry f = fn.get();
        Operand operand = new Operand.Function(s.substring(start + valueStart, start + i), f.address(),
                a -> symbols.functionContaining(a).filter(f::equals).isPresent());
        return new Parsed(new FilterExpr.Predicate(field, op, operand, start), i);
    }

    /** {@code FIELD OP CPUS{list}}: a CPU, a number or a CPU mask field against a set of CPUs. */
    private Parsed cpus(EventField field, Op op, int start, int i, int pos) {
        if (field.kind() != EventField.Kind.CPU && field.kind() != EventField.Kind.NUMBER) {
            throw error(FilterError.ILLEGAL_FIELD_OP, pos + i);
        }
        if (op != Op.EQ && op != Op.NE && op != Op.BAND) {
            throw error(FilterError.ILLEGAL_FIELD_OP, pos + i);
        }
        i += "CPUS".length();
        if (at(start + i++) != '{') {
            throw error(FilterError.MISSING_BRACE_OPEN, pos + i);
        }
        int listStart = i;
        while (at(start + i) != 0 && at(start + i) != '}') {
            i++;
        }
        if (at(start + i) != '}') {
            throw error(FilterError.MISSING_BRACE_CLOSE, pos + i);
        }
        if (listStart == i) {
            throw error(FilterError.INVALID_CPULIST, pos + i);
        }
        BitSet cpus = CpuList.parse(s.substring(start + listStart, start + i), host.nrCpuIds());
        if (cpus == null) {
            throw error(FilterError.INVALID_CPULIST, pos + i);
        }
        i++;
        return new Parsed(new FilterExpr.Predicate(field, op, new Operand.Cpus(cpus, host.nrCpuIds()), start), i);
    }

    private int at(int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private FilterException error(FilterError e, int position) {
        return new FilterException(s, e, position, Errno.EINVAL);
    }
}
