/* Fixture: a small shared library for the library lookup tests. */
__attribute__((noinline)) int elf_lib_value(int x) {
    return x + 42;
}
