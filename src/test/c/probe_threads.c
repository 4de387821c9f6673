/* Four named threads call a probed function; each thread's calls carry its index. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int rounds = 20;
static int pause_us = 0; /* optional pause per round, to be slow enough for attaching */

__attribute__((noinline)) long work(long idx, long j) {
    __asm__ volatile("" ::: "memory");
    return idx * 1000 + j;
}

static void *run(void *arg) {
    long idx = (long) arg, sum = 0;
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", idx);
    pthread_setname_np(pthread_self(), name);
    for (long j = 0; j < rounds; j++) {
        sum += work(idx, j);
        if (pause_us) {
            usleep(pause_us);
        }
    }
    return (void *) sum;
}

int main(int argc, char **argv) {
    if (argc > 1) {
        rounds = atoi(argv[1]);
    }
    if (argc > 2) {
        pause_us = atoi(argv[2]);
    }
    pthread_t t[4];
    for (long i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, run, (void *) i);
    }
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long) r;
    }
    printf("total %ld\n", total);
    return 3;
}
