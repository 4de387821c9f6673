/*
 * Threads that end with pthread_exit deep inside a return-probed recursion (their returns never come),
 * then threads that recurse as deep from further down their stack (glibc gives them the stacks, and so
 * the thread control blocks, of the threads that ended): each of their returns is reported.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define DEPTH 40

__attribute__((noinline)) long down(long n, long leave) {
    if (n == 0) {
        if (leave) {
            pthread_exit((void *) 7);
        }
        return 0;
    }
    return down(n - 1, leave) + 1;
}

static void *leaving(void *arg) {
    return (void *) down(DEPTH, 1);
}

static void *staying(void *arg) {
    volatile char pad[16384]; /* below every frame the ended thread left */
    memset((char *) pad, 1, sizeof pad);
    return (void *) (down(DEPTH, 0) + pad[100]);
}

int main(void) {
    long total = 0;
    for (int round = 0; round < 2; round++) {
        pthread_t t;
        void *r;
        pthread_create(&t, NULL, leaving, NULL);
        pthread_join(t, &r);
        total += (long) r;
        pthread_create(&t, NULL, staying, NULL);
        pthread_join(t, &r);
        total += (long) r;
    }
    printf("total %ld\n", total);
    return 0;
}
