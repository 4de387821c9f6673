package io.probe4j.spec;

/**
 * probe4j's {@code PATH:PROVIDER:NAME}: a USDT probe of the file, named by its note. The parser first
 * reads {@code PATH:PROVIDER} as the path and {@code NAME} as a symbol; a path that ends in
 * {@code :IDENTIFIER} makes it a USDT probe instead (two colons, so that it is never taken for
 * {@code PATH:SYMBOL}). A USDT probe sits inside a function and brings its own semaphore, so a return
 * probe, an offset and a reference counter are refused.
 */
final class UsdtSyntax {
    private UsdtSyntax() {
    }

    /** The path without {@code :PROVIDER} when {@code path:symbol} names a USDT probe; null otherwise. */
    static String pathOf(String path) {
        int colon = path.lastIndexOf(':');
        return colon > 0 && Names.isGoodName(path.substring(colon + 1)) ? path.substring(0, colon) : null;
    }

    /** The USDT location of {@code path:symbol} (with {@link #pathOf} not null), after the checks. */
    static ProbeTarget.Location.Usdt location(String path, ProbeTarget.Location.Symbol symbol, boolean isReturn,
                                             boolean refCtr, String command) {
        String provider = path.substring(path.lastIndexOf(':') + 1);
        String probe = provider + ":" + symbol.name();
        if (!Names.isGoodName(symbol.name()) || symbol.offset() != 0) {
            throw SpecException.silent("USDT probe " + probe + (symbol.offset() != 0 ? "+" + symbol.offset() : "")
                    + ": a USDT probe is named PATH:PROVIDER:NAME, with no offset and no pattern (probe4j list --usdt "
                    + "PATH lists the names)", command, Errno.EINVAL);
        }
        if (isReturn) {
            throw SpecException.silent("USDT probe " + probe + ": a return probe needs a function's entry, and a USDT "
                    + "probe sits inside a function", command, Errno.EINVAL);
        }
        if (refCtr) {
            throw SpecException.silent("USDT probe " + probe + ": its semaphore (reference counter) comes from its note; "
                    + "give none", command, Errno.EINVAL);
        }
        return new ProbeTarget.Location.Usdt(provider, symbol.name());
    }
}
