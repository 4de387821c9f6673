/* A function whose return value a handler may change, called in a loop; prints what it got. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int check(int x) {
    __asm__ volatile("" ::: "memory");
    return x > 100;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    for (int i = 0; i < n; i++) {
        printf("check(%d) = %d\n", i, check(i));
    }
    return 0;
}
