/* Several threads, each computes a sum; the main thread prints them in order after joining. */
#include <pthread.h>
#include <stdio.h>

#define N 4
static long result[N];

static void *work(void *arg) {
    long id = (long)arg, sum = 0;
    for (long i = 0; i < 2000000; i++) sum += (i * (id + 1)) % 7;
    result[id] = sum;
    return NULL;
}

int main(void) {
    pthread_t t[N];
    for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++) printf("thread %d sum %ld\n", i, result[i]);
    return 0;
}
