package io.probe4j.engine.kernel;

import io.probe4j.spec.ProbeDefinition;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A definition whose target has been resolved to a real file and a file offset (symbols, program and
 * library names are probe4j extensions the kernel does not know; {@code io.probe4j.elf} resolves them).
 *
 * @param definition   the parsed definition (user's group and event name, arguments)
 * @param file         the probed file, absolute
 * @param offset       the file offset of the probed instruction
 * @param refCtrOffset the USDT semaphore's file offset, if any
 */
public record ResolvedProbe(ProbeDefinition definition, Path file, long offset, OptionalLong refCtrOffset) {
}
