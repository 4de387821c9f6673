package io.probe4j.arch.x86_64;

/**
 * A position in the code of one {@link Assembler}, usable before it is bound: branches and
 * RIP-relative operands that name it are completed when {@link Assembler#bind(Label)} places it.
 */
public final class Label {
    final Object owner;
    private final String name;
    int offset = -1;

    Label(Object owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    /** The name given at creation, for listings and error messages. */
    public String name() {
        return name;
    }

    /** Whether the label has been bound. */
    public boolean isBound() {
        return offset >= 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
