package io.probe4j.trigger;

import io.probe4j.filter.EventField;
import io.probe4j.filter.EventFilter;
import java.util.List;
import java.util.Objects;

/**
 * {@code hist_trigger_match()}: whether a hist trigger being written is "the same" as one already set, for
 * {@code EEXIST}, for removing it, for {@code :pause}/{@code :cont}/{@code :clear}, and whether it fits the
 * named table it would share. Fields match by kind, modifier and type (not by constant or bucket size), sort
 * keys by position and direction, and the conditions by text unless told to ignore them.
 */
final class HistMatch {
    private HistMatch() {
    }

    static boolean matches(HistSpec spec, EventFilter condition, ActiveTrigger test, ActiveTrigger named,
                           boolean ignoreCondition) {
        if (named != null && test.table != named.table) {
            return false;
        }
        if (named == null && test.name != null) {
            return false;
        }
        HistSpec other = test.spec();
        if (spec.values().size() != other.values().size() || spec.keys().size() != other.keys().size()
                || spec.sort().size() != other.sort().size()) {
            return false;
        }
        EventFilter otherCondition = test.condition();
        if (!ignoreCondition && (condition == null) != (otherCondition == null)) {
            return false;
        }
        List<HistField> a = spec.fields();
        List<HistField> b = other.fields();
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), b.get(i))) {
                return false;
            }
        }
        for (int i = 0; i < spec.sort().size(); i++) {
            if (!spec.sort().get(i).equals(other.sort().get(i))) {
                return false;
            }
        }
        return ignoreCondition || condition == null || condition.text().equals(otherCondition.text());
    }

    private static boolean same(HistField x, HistField y) {
        return x.source() == y.source() && x.modifier() == y.modifier() && compatible(x.field(), y.field())
                && x.size() == y.size() && x.signed() == y.signed();
    }

    /** {@code compatible_field()}: the same field, or fields of one name, type, size and signedness. */
    private static boolean compatible(EventField x, EventField y) {
        if (x == y) {
            return true;
        }
        if (x == null || y == null) {
            return false;
        }
        return x.name().equals(y.name()) && x.kind() == y.kind() && x.size() == y.size() && x.signed() == y.signed()
                && Objects.equals(x.argType(), y.argType());
    }
}
