package io.probe4j.trigger;

import io.probe4j.filter.EventFields;
import io.probe4j.filter.EventFilter;
import io.probe4j.filter.FilterException;
import io.probe4j.spec.Errno;
import io.probe4j.spec.KernelNumbers;
import java.util.function.BiPredicate;

/**
 * One write to an event's {@code trigger} file, read as the kernel reads it: {@code event_trigger_regex_write()}
 * trims it, {@code trigger_process_regex()} splits the command off at the first {@code :}, space or tab, and
 * the command's parser takes the rest ({@code event_trigger_parse()} for {@code traceon}/{@code traceoff},
 * {@code event_enable_trigger_parse()} for {@code enable_event} and friends, {@code event_hist_trigger_parse()}
 * for {@code hist}). Text is one byte per char.
 */
public final class TriggerParser {
    /** {@code PAGE_SIZE}: longer writes fail. */
    private static final int MAX_LENGTH = 4096;

    private final String group;
    private final String event;
    private final EventFields fields;
    private final BiPredicate<String, String> eventExists;

    /**
     * A parser for the triggers of event {@code group/event} with {@code fields}; {@code eventExists} says
     * which events {@code enable_event:GROUP:EVENT} and friends may name.
     */
    public TriggerParser(String group, String event, EventFields fields, BiPredicate<String, String> eventExists) {
        this.group = group;
        this.event = event;
        this.fields = fields;
        this.eventExists = eventExists;
    }

    /** The trigger {@code text} adds or (with a leading {@code !}) removes, or the kernel's refusal. */
    public Trigger.Write parse(String text) {
        if (text.length() >= MAX_LENGTH) {
            throw TriggerException.silent(text, "a trigger is shorter than " + MAX_LENGTH + " bytes", Errno.EINVAL);
        }
        CText.Sep sep = split(text);
        String next = sep.rest();
        boolean remove = sep.token().startsWith("!");
        String command = remove ? sep.token().substring(1) : sep.token();
        Trigger.Kind toggle = Trigger.Kind.of(command);
        Trigger trigger = switch (command) {
            case "traceon", "traceoff" -> onOff(text, command.equals("traceon"), next, remove);
            case "hist" -> hist(text, next);
            case "snapshot", "stacktrace" -> throw TriggerException.unsupported(text, "the " + command + " trigger is about "
                    + "the kernel's own buffers and stacks; probe4j has no " + command + " trigger");
            default -> {
                if (toggle == null) {
                    throw TriggerException.silent(text, "no trigger command '" + command + "' (traceon, traceoff, "
                            + "enable_event, disable_event, enable_hist, disable_hist, hist)", Errno.EINVAL);
                }
                yield toggle(text, toggle, next, remove);
            }
        };
        return new Trigger.Write(trigger, remove);
    }

    /**
     * {@code trigger_process_regex()}: the command (with its {@code !}) up to the first {@code :}, space or tab,
     * and what follows it without leading space (null when nothing does).
     */
    static CText.Sep split(String text) {
        CText.Sep sep = CText.strsep(CText.strim(text), ": \t");
        String next = sep.rest() == null ? null : CText.skipSpaces(sep.rest());
        return new CText.Sep(sep.token(), next == null || next.isEmpty() ? null : next);
    }

    /** {@code event_trigger_parse()}: {@code [:COUNT] [if FILTER]}. */
    private Trigger onOff(String text, boolean on, String paramAndFilter, boolean remove) {
        String param = null;
        String filter = null;
        if (paramAndFilter != null) {
            if (!CText.startsWithDigit(paramAndFilter)) {
                filter = paramAndFilter;
            } else {
                CText.Sep sep = CText.strsep(paramAndFilter, " \t");
                param = sep.token();
                filter = filterAfter(sep);
            }
        }
        if (remove) {
            return new Trigger.TraceOnOff(on, -1, null);
        }
        return new Trigger.TraceOnOff(on, count(text, param), condition(text, filter));
    }

    /** {@code event_enable_trigger_parse()}: {@code GROUP:EVENT[:COUNT] [if FILTER]}. */
    private Trigger toggle(String text, Trigger.Kind kind, String paramAndFilter, boolean remove) {
        if (paramAndFilter == null) {
            throw TriggerException.silent(text, kind.command() + " needs the event it acts on: " + kind.command()
                    + ":GROUP:EVENT", Errno.EINVAL);
        }
        CText.Sep sep = CText.strsep(paramAndFilter, " \t");
        String filter = filterAfter(sep);
        CText.Sep system = CText.strsep(sep.token(), ":");
        if (system.rest() == null) {
            throw TriggerException.silent(text, kind.command() + " needs GROUP:EVENT", Errno.EINVAL);
        }
        CText.Sep name = CText.strsep(system.rest(), ":");
        if (!eventExists.test(system.token(), name.token())) {
            throw TriggerException.silent(text, "no event " + system.token() + ":" + name.token() + " in this trace",
                    Errno.EINVAL);
        }
        if (remove) {
            return new Trigger.Toggle(kind, system.token(), name.token(), -1, null);
        }
        return new Trigger.Toggle(kind, system.token(), name.token(), count(text, name.rest()), condition(text, filter));
    }

    /** {@code event_trigger_separate_filter()}: what follows the parameter, without leading space; null if nothing. */
    private static String filterAfter(CText.Sep param) {
        String rest = param.rest() == null ? "" : CText.skipSpaces(param.rest());
        return rest.isEmpty() ? null : rest;
    }

    private Trigger hist(String text, String paramAndFilter) {
        HistParser.Parsed p = HistParser.parse(text, paramAndFilter, fields, group, event);
        return new Trigger.Hist(p.spec(), condition(text, p.condition()));
    }

    /** {@code event_trigger_parse_num()}: the count before any further {@code :}; -1 (unlimited) without one. */
    private static long count(String text, String param) {
        if (param == null) {
            return -1;
        }
        String number = CText.strsep(param, ":").token();
        if (number.isEmpty()) {
            throw TriggerException.silent(text, "an empty count", Errno.EINVAL);
        }
        KernelNumbers.Num n = KernelNumbers.kstrtoull(number, 0);
        if (!n.ok()) {
            throw TriggerException.silent(text, "the count " + number + " is not a number", n.errno());
        }
        return n.value();
    }

    /** {@code set_trigger_filter()}: {@code if FILTER}, FILTER read as the event's filters are. */
    private EventFilter condition(String text, String filter) {
        if (filter == null) {
            return null;
        }
        CText.Sep sep = CText.strsep(filter, " \t");
        if (!sep.token().equals("if") || sep.rest() == null) {
            throw TriggerException.silent(text, "'" + filter + "' is neither a count nor 'if FILTER'", Errno.EINVAL);
        }
        try {
            return EventFilter.parseCondition(sep.rest(), fields);
        } catch (FilterException e) {
            throw TriggerException.silent(text, "the condition is not a filter of " + event + ": " + e.error().message()
                    + " at '" + sep.rest().substring(Math.min(e.position(), sep.rest().length())) + "'", e.errno());
        }
    }
}
