package io.probe4j.trigger;

import io.probe4j.filter.EventField;
import io.probe4j.filter.EventFields;
import io.probe4j.spec.Errno;
import io.probe4j.spec.KernelNumbers;
import java.util.List;
import java.util.Optional;

/**
 * One key or value of a hist trigger read as the kernel reads it ({@code parse_expr()}, {@code parse_atom()},
 * {@code parse_field()}, {@code create_hist_field()}): a number, or a field and the modifier after its dot,
 * the modifier checked before the field is looked up. Expressions and variables are refused by name.
 */
final class HistFieldReader {
    private final String trigger;
    private final EventFields fields;
    private final HistParser errors;

    HistFieldReader(String trigger, EventFields fields, HistParser errors) {
        this.trigger = trigger;
        this.fields = fields;
        this.errors = errors;
    }

    /** {@code parse_expr()} of one key or value: probe4j takes atoms only. */
    HistField expression(String str, boolean key) {
        boolean operator = str.indexOf('+') >= 0 || str.indexOf('/') >= 0 || str.indexOf('*') >= 0 || str.indexOf('-') >= 0;
        if (operator) {
            throw TriggerException.unsupported(trigger, "hist expressions (" + str + ") are not supported by probe4j");
        }
        return atom(str, key);
    }

    /** {@code parse_atom()}: a number, or a field with its modifier ({@code a.b.c} reads as field {@code c}). */
    private HistField atom(String str, boolean key) {
        if (CText.startsWithDigit(str)) {
            KernelNumbers.Num n = KernelNumbers.kstrtoull(str, 0);
            if (!n.ok()) {
                throw errors.error(HistError.EXPECT_NUMBER, str, Errno.EINVAL);
            }
            return new HistField(HistField.Source.CONST, null, HistField.Modifier.NONE, 0, n.value());
        }
        int dot = str.indexOf('.');
        if (dot >= 0 && str.indexOf('.', dot + 1) >= 0) {
            // SYSTEM.EVENT.VAR, a variable of another event: what is left is read as a field
            str = str.substring(str.indexOf('.', dot + 1) + 1);
        }
        if (str.length() >= 2 && str.charAt(0) == '$') {
            throw TriggerException.unsupported(trigger, "hist variables (" + str + ") are not supported by probe4j");
        }
        return field(str, key);
    }

    /** {@code parse_field()} and {@code create_hist_field()}: the modifier first, then the field's name. */
    private HistField field(String fieldStr, boolean key) {
        CText.Sep sep = CText.strsep(fieldStr, ".");
        String name = sep.token();
        String modifier = sep.rest();
        HistField.Modifier m = HistField.Modifier.NONE;
        long buckets = 0;
        boolean syscall = false;
        if (modifier != null) {
            switch (modifier) {
                case "hex" -> m = HistField.Modifier.HEX;
                case "sym" -> m = HistField.Modifier.SYM;
                case "symXoffset" -> m = HistField.Modifier.SYM_OFFSET;
                case "syscall" -> syscall = true;
                case "log2" -> m = HistField.Modifier.LOG2;
                case "usecs" -> m = HistField.Modifier.USECS;
                default -> {
                    if (modifier.equals("execname") && name.equals("common_pid")) {
                        m = HistField.Modifier.EXECNAME;
                    } else if (modifier.startsWith("bucket")) {
                        buckets = buckets(modifier.substring(6));
                        m = HistField.Modifier.BUCKETS;
                    } else if (modifier.startsWith("percent") && !key) {
                        m = HistField.Modifier.PERCENT;
                    } else if (modifier.startsWith("graph") && !key) {
                        m = HistField.Modifier.GRAPH;
                    } else {
                        throw errors.error(HistError.BAD_FIELD_MODIFIER, modifier, Errno.EINVAL);
                    }
                }
            }
        }
        HistField.Source source;
        EventField field = null;
        if (name.equals("common_timestamp")) {
            source = HistField.Source.TIMESTAMP;
        } else if (name.equals("common_cpu")) {
            source = HistField.Source.CPU;
        } else {
            Optional<EventField> found = fields.find(name);
            if (found.isPresent() && found.get().kind() == EventField.Kind.CPU) {
                source = HistField.Source.CPU; // cpu and CPU: generic fields without a size; kept for the name
            } else if (found.isEmpty() || found.get().size() == 0) {
                throw errors.error(HistError.FIELD_NOT_FOUND, name, Errno.EINVAL);
            } else {
                source = HistField.Source.FIELD;
            }
            field = found.get();
        }
        if (syscall) {
            throw TriggerException.unsupported(trigger, ".syscall (a table of system call names) is not supported by probe4j");
        }
        HistField f = new HistField(source, field, m, buckets, 0);
        if (source == HistField.Source.FIELD && !f.isString() && !List.of(1, 2, 4, 8).contains(field.size())) {
            throw TriggerException.silent(trigger, "field " + name + " has " + field.size() + " bytes, and a hist reads "
                    + "1, 2, 4 or 8 (the kernel fails to allocate it)", Errno.ENOMEM);
        }
        return f;
    }

    /** The N of {@code .bucket=N} or {@code .buckets=N} (given what follows "bucket"): a number above 0. */
    private long buckets(String n) {
        if (n.startsWith("s")) {
            n = n.substring(1);
        }
        if (!n.startsWith("=")) {
            throw errors.error(HistError.BAD_FIELD_MODIFIER, n, Errno.EINVAL);
        }
        n = n.substring(1);
        KernelNumbers.Num b = KernelNumbers.kstrtoull(n, 0);
        if (!b.ok() || b.value() == 0) {
            throw errors.error(HistError.BAD_FIELD_MODIFIER, n, Errno.EINVAL);
        }
        return b.value();
    }
}
