/* Fixture for io.probe4j.elf: global, static, weak functions, a variable, a local static. */
#include <stdio.h>
#include <stdlib.h>

int elf_counter = 3;

__attribute__((noinline)) static int elf_helper(int x) {
    static int calls;
    calls++;
    return x * 2 + calls;
}

__attribute__((noinline)) int elf_add(int a, int b) {
    return elf_helper(a) + b;
}

__attribute__((noinline, weak)) int elf_weak(int a) {
    return a - 1;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    for (int i = 0; i < n; i++) {
        elf_counter += elf_add(i, elf_counter) + elf_weak(i);
    }
    printf("%d\n", elf_counter);
    return 0;
}
