package io.probe4j.demangle;

/** A mangled name this demangler cannot read; the name is then shown as it is. */
final class DemangleException extends RuntimeException {
    DemangleException(String message) {
        super(message, null, false, false); // thrown for every name it cannot read: no stack trace
    }
}
