/**
 * The kernel's event triggers ({@code kernel/trace/trace_events_trigger.c}) and hist triggers
 * ({@code trace_events_hist.c}, {@code tracing_map.c}) in probe4j: what a user writes to an event's
 * {@code trigger} file — {@code traceon}, {@code traceoff}, {@code enable_event:GROUP:EVENT},
 * {@code disable_event}, {@code enable_hist}, {@code disable_hist}, a count, {@code if FILTER}, and
 * {@code hist:keys=...:vals=...:sort=...:size=...:name=...} with {@code :pause}, {@code :cont},
 * {@code :clear} — read with the kernel's acceptance, errnos and {@code error_log} messages
 * ({@link io.probe4j.trigger.TriggerParser}), carried out on probe4j's events the way the kernel carries
 * them out in a tracefs instance ({@link io.probe4j.trigger.Triggers}), and the hist file printed exactly as
 * the kernel prints it, entry order included, or drawn as bars.
 *
 * <pre>{@code
 * Histogram h = Histogram.of("hist:keys=size.log2:sort=size", definition);
 * h.accept(event);
 * System.out.print(h.text());
 * }</pre>
 *
 * <p>Both engines aggregate in Java (the kernel of these machines has no hist triggers); the kernel in the
 * kprobe VM, which has them, is the oracle of the tests.
 */
package io.probe4j.trigger;
