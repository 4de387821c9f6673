package io.probe4j.filter;

import io.probe4j.spec.Errno;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A whole filter, read as the kernel's {@code process_preds()} reads it: {@code calc_stack()} first (quotes,
 * parentheses, a count of predicates), then {@code predicate_parse()}'s two loops over the text — one that
 * expects a predicate, {@code (} or {@code !}, one that expects {@code &&}, {@code ||}, {@code )} or the
 * end — with the kernel's stack of pending {@code &&}/{@code ||} per parenthesis level. The checks, their
 * order, the error positions and errnos are the kernel's; the tree built on the way is
 * {@code &&} over {@code ||}, {@code !} on the next predicate or group.
 */
final class FilterParser {
    private static final int INVERT = 1;
    private static final int PROCESS_AND = 2;
    private static final int PROCESS_OR = 4;

    private final String s;
    private final PredicateParser predicates;

    private FilterParser(String filter, EventFields fields, HostKernel host) {
        this.s = filter;
        this.predicates = new PredicateParser(filter, fields, host);
    }

    /** The tree of {@code filter}, or the kernel's error. */
    static FilterExpr parse(String filter, EventFields fields, HostKernel host) {
        return new FilterParser(filter, fields, host).parse();
    }

    private FilterExpr parse() {
        int[] stack = calcStack();
        return predicateParse(stack[0], stack[1]);
    }

    /** {@code calc_stack()}: {max parenthesis depth, predicate count}, or the kernel's early errors. */
    private int[] calcStack() {
        boolean isPred = false;
        int nrPreds = 0;
        int open = 1;
        int maxOpen = 1;
        int lastQuote = 0;
        int quote = 0;
        int i;
        for (i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (Ctype.isSpace(c)) {
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> {
                    quote = c;
                    lastQuote = i;
                }
                case '|', '&' -> {
                    if (at(i + 1) == c) {
                        isPred = false;
                        continue;
                    }
                }
                case '(' -> {
                    isPred = false;
                    open++;
                    maxOpen = Math.max(maxOpen, open);
                    continue;
                }
                case ')' -> {
                    isPred = false;
                    if (open == 1) {
                        throw new FilterException(s, FilterError.TOO_MANY_CLOSE, i, Errno.EPERM);
                    }
                    open--;
                    continue;
                }
                default -> {
                }
            }
            if (!isPred) {
                nrPreds++;
                isPred = true;
            }
        }
        if (quote != 0) {
            throw new FilterException(s, FilterError.MISSING_QUOTE, lastQuote, Errno.ESRCH);
        }
        if (open != 1) {
            throw new FilterException(s, FilterError.TOO_MANY_OPEN, unmatchedOpen(i, open), Errno.ENOENT);
        }
        if (nrPreds == 0) {
            throw new FilterException(s, FilterError.UNSPECIFIED, 0, Errno.EINVAL);
        }
        return new int[] {maxOpen, nrPreds};
    }

    /** The kernel's search, from the end, for the {@code (} left open (0 when it is the first byte). */
    private int unmatchedOpen(int end, int open) {
        int level = open;
        int quote = 0;
        for (int i = end - 1; i > 0; i--) {
            int c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '(' -> {
                    if (level == open) {
                        return i;
                    }
                    level--;
                }
                case ')' -> level++;
                case '\'', '"' -> quote = c;
                default -> {
                }
            }
        }
        return 0;
    }

    /** One parenthesis level being read: its {@code ||} terms so far and the {@code &&} term being read. */
    private static final class Group {
        final boolean negated;
        final List<FilterExpr> ors = new ArrayList<>();
        List<FilterExpr> ands = new ArrayList<>();

        Group(boolean negated) {
            this.negated = negated;
        }

        void endAnd() {
            if (!ands.isEmpty()) {
                ors.add(ands.size() == 1 ? ands.getFirst() : new FilterExpr.And(ands));
                ands = new ArrayList<>();
            }
        }

        FilterExpr close() {
            endAnd();
            FilterExpr e = ors.size() == 1 ? ors.getFirst() : new FilterExpr.Or(ors);
            return negated ? new FilterExpr.Not(e) : e;
        }
    }

    /** {@code predicate_parse()}'s first pass, building the tree as it goes. */
    private FilterExpr predicateParse(int nrParens, int nrPreds) {
        nrPreds += 2; // the kernel's program has a TRUE and a FALSE entry
        int[] stack = new int[nrParens + 2];
        int top = 0;
        Deque<Group> groups = new ArrayDeque<>();
        groups.push(new Group(false));
        boolean invert = false;
        int n = 0;
        int ptr = 0;
        outer:
        while (ptr < s.length()) {
            int next = ptr++;
            int c = s.charAt(next);
            if (Ctype.isSpace(c)) {
                continue;
            }
            if (c == '(') {
                if (top > nrParens) {
                    throw new FilterException(s, FilterError.UNSPECIFIED, 0, Errno.EINVAL);
                }
                boolean levelInvert = (stack[top] & INVERT) != 0;
                stack[++top] = invert ? INVERT : 0;
                groups.push(new Group(invert != levelInvert));
                continue;
            }
            if (c == '!' && at(next + 1) != '=' && at(next + 1) != '~') {
                invert = !invert;
                continue;
            }
            if (n >= nrPreds) {
                throw new FilterException(s, FilterError.TOO_MANY_PREDS, next, Errno.EPERM);
            }
            PredicateParser.Parsed p = predicates.parse(next);
            boolean levelInvert = (stack[top] & INVERT) != 0;
            groups.peek().ands.add(invert != levelInvert ? new FilterExpr.Not(p.predicate()) : p.predicate());
            ptr = next + p.length();
            n++;
            while (true) {
                next = ptr++;
                c = at(next);
                if (Ctype.isSpace(c)) {
                    continue;
                }
                if (c == '&' || c == '|') {
                    if (at(next + 1) != c) {
                        throw new FilterException(s, FilterError.TOO_MANY_PREDS, next, Errno.EPERM);
                    }
                    ptr++;
                } else if (c != ')' && c != 0) {
                    throw new FilterException(s, FilterError.TOO_MANY_PREDS, next, Errno.EPERM);
                }
                invert = (stack[top] & INVERT) != 0;
                stack[top] &= ~PROCESS_AND;
                if (c == '&') {
                    stack[top] |= PROCESS_AND;
                    continue outer;
                }
                stack[top] &= ~PROCESS_OR;
                groups.peek().endAnd();
                if (c == '|') {
                    stack[top] |= PROCESS_OR;
                    continue outer;
                }
                if (c == 0) {
                    break outer;
                }
                if (top == 0) {
                    throw new FilterException(s, FilterError.TOO_MANY_CLOSE, ptr, Errno.EPERM);
                }
                top--;
                FilterExpr group = groups.pop().close();
                groups.peek().ands.add(group);
            }
        }
        if (top != 0) {
            throw new FilterException(s, FilterError.TOO_MANY_OPEN, ptr, Errno.EPERM);
        }
        if (n == 0) {
            throw new FilterException(s, FilterError.NO_FILTER, ptr, Errno.EINVAL);
        }
        if ((stack[0] & (PROCESS_AND | PROCESS_OR)) == (PROCESS_AND | PROCESS_OR)) {
            // "a || b &&": the text ends with an "||" still pending under an "&&". The kernel then reads
            // outside its program array (trace_events_filter.c, second pass), WARNs and almost always
            // fails with -EINVAL and no message; refusing it here keeps the kernel engine from that.
            throw new FilterException(s, FilterError.UNSPECIFIED, 0, Errno.EINVAL);
        }
        return groups.pop().close();
    }

    private int at(int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }
}
