/* Loads library A, calls its entry (which calls back into callback here), unloads it, then the same with
 * library B: B is mapped where A was, so a stack at callback names B's function only if the tracer's copy
 * of the memory map was renewed after the dlclose and dlopen. argv: LIB_A ENTRY_A LIB_B ENTRY_B. */
#include <dlfcn.h>
#include <stdio.h>

volatile int seen;

__attribute__((noipa)) void callback(int x) {
    seen += x;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s LIB_A ENTRY_A LIB_B ENTRY_B\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < 5; i += 2) {
        void *h = dlopen(argv[i], RTLD_NOW);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        void (*entry)(int) = (void (*)(int)) dlsym(h, argv[i + 1]);
        entry(i);
        printf("%s at %p\n", argv[i + 1], (void *) entry);
        dlclose(h);
    }
    return 0;
}
