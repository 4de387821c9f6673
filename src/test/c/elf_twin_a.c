/* Fixture: a static function "twin" here and another one in elf_twin_b.c (two LOCAL symbols, one name). */
__attribute__((noinline)) static int twin(int x) {
    return x + 1;
}

int twin_b(int x);

int main(int argc, char **argv) {
    (void) argv;
    return twin(argc) + twin_b(argc);
}
