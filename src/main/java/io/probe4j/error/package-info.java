/**
 * The one error type every layer may throw for a user's mistake ({@link io.probe4j.error.UserException}).
 * It is a leaf: it depends on nothing of probe4j, so the mechanism (engines, ELF, the definition language)
 * can report "your definition is wrong" without depending on the public API or the command line.
 */
package io.probe4j.error;
