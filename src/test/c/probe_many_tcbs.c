/*
 * 1100 threads one after another, each on a stack of its own that stays allocated (so each has a thread
 * control block at an address no thread had before), each calling a return-probed function once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 1100
#define STACK (64 * 1024)

__attribute__((noinline)) long once(long i) {
    __asm__ volatile("" ::: "memory");
    return i * 1000 + 7;
}

static void *run(void *arg) {
    return (void *) once((long) arg);
}

int main(void) {
    long total = 0;
    for (long i = 0; i < THREADS; i++) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstack(&a, malloc(STACK), STACK); /* never freed: a new place each time */
        pthread_t t;
        void *r;
        pthread_create(&t, &a, run, (void *) i);
        pthread_join(t, &r);
        total += (long) r;
        pthread_attr_destroy(&a);
    }
    printf("total %ld\n", total);
    return 0;
}
