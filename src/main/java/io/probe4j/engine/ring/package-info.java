/**
 * The inline engine's shared-memory format: where the rings live in the memfd and in an address space
 * ({@link io.probe4j.engine.ring.RingLayout}), what a record holds ({@link io.probe4j.engine.ring.RecordFormat},
 * {@link io.probe4j.engine.ring.EventLayout}) and the per-thread return stacks
 * ({@link io.probe4j.engine.ring.ReturnStacks}). Both the code generator ({@code arch.x86_64}) and the
 * engine ({@code engine.inline}) depend on it, so that the generator and the engine do not depend on
 * each other's package both ways.
 */
package io.probe4j.engine.ring;
