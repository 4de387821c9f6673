/* Probe targets of every kind: a leaf function with two arguments, a caller, recursion. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int add(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a + b;
}

__attribute__((noinline)) long fact(long n) {
    return n <= 1 ? 1 : n * fact(n - 1);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    long sum = 0;
    for (int i = 0; i < n; i++) {
        sum += add(i, 2 * i);
    }
    printf("sum %ld fact %ld\n", sum, fact(5));
    return 7;
}
