/* One call of tick() per line read: the test decides when each hit happens. */
#include <stdio.h>

__attribute__((noinline)) int tick(int n) {
    __asm__ volatile("" ::: "memory");
    return n + 1;
}

int main(void) {
    char line[64];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        n = tick(n);
        printf("tick %d\n", n);
        fflush(stdout);
    }
    printf("done %d\n", n);
    return 0;
}
