/* Fixture: the second static "twin" (see elf_twin_a.c). */
__attribute__((noinline)) static int twin(int x) {
    return x * 3;
}

int twin_b(int x) {
    return twin(x);
}
