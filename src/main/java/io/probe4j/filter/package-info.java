/**
 * The kernel's event filters ({@code kernel/trace/trace_events_filter.c}) in probe4j: the expression a
 * user writes to an event's {@code filter} file, {@code size > 1024 && name ~ "lib*"}, parsed exactly as
 * the kernel parses it (same acceptance, same error message and position, same errno) into a sealed tree
 * ({@link io.probe4j.filter.FilterExpr}) and evaluated over an event's fetched values exactly as the kernel
 * evaluates it: field types decide sizes and signedness, strings match the kernel's way, {@code CPU},
 * {@code COMM} and the common fields mean what they mean there.
 *
 * <pre>{@code
 * EventFilter f = EventFilter.parse("size > 1024 && COMM ~ \"py*\"", EventFields.of(definition)).orElseThrow();
 * if (f.matches(event)) { ... }
 * }</pre>
 *
 * <p>The kernel engine writes the same text into its instance's {@code filter} file and lets the kernel
 * filter; the trap engine evaluates it in Java. Both agree with the live kernel (the tests compare).
 */
package io.probe4j.filter;
