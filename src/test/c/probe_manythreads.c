/* 100 threads, one after the other, each calls mark(i) and ends; main calls mark(0) before and
 * mark(-1) after them. */
#include <pthread.h>
#include <stdio.h>

__attribute__((noinline)) int mark(long i) {
    __asm__ volatile("" ::: "memory");
    return (int) i;
}

static void *worker(void *arg) {
    mark((long) arg);
    return NULL;
}

int main(void) {
    mark(0);
    for (long i = 1; i <= 100; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, (void *) i);
        pthread_join(t, NULL);
    }
    mark(-1);
    puts("100 threads came and went");
    return 0;
}
