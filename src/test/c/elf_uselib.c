/* Fixture: a program linked against elf_lib.c's library, for ldd as the loader's oracle. */
int elf_lib_value(int x);

int main(int argc, char **argv) {
    (void) argv;
    return elf_lib_value(argc) == 0;
}
