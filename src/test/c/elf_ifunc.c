/* Fixture: an indirect function (STT_GNU_IFUNC) with two implementations named the glibc way. */
#include <stdlib.h>

__attribute__((noinline)) int __elf_twice_plain(int x) {
    return x + x;
}

__attribute__((noinline)) int __elf_twice_shift(int x) {
    return x << 1;
}

static void *elf_twice_resolver(void) {
    return getenv("ELF_TWICE_SHIFT") ? (void *) __elf_twice_shift : (void *) __elf_twice_plain;
}

int elf_twice(int x) __attribute__((ifunc("elf_twice_resolver")));

int main(int argc, char **argv) {
    (void) argv;
    return elf_twice(argc) == 0;
}
