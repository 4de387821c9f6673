/* Loads a library with dlopen after start, calls into it, unloads it, loads it again. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    for (int round = 0; round < 2; round++) {
        void *h = dlopen(argv[1], RTLD_NOW);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        int (*mul)(int, int) = (int (*)(int, int)) dlsym(h, "lib_mul");
        int s = 0;
        for (int i = 1; i <= 3; i++) {
            s += mul(i, round + 2);
        }
        printf("round %d: %d\n", round, s);
        fflush(stdout);
        dlclose(h);
    }
    return 0;
}
