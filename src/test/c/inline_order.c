/* inline_order THREADS ROUNDS [PAUSE_US [TINY_EVERY]]: THREADS threads each call record(idx, j) ROUNDS
 * times, and every TINY_EVERY-th round tiny(j) too (0: never), pausing PAUSE_US between rounds.
 * record is long enough for the inline engine's jump; tiny (4 bytes) is not, so a probe there runs on
 * the trap engine: the events of both engines, and of every CPU, to be seen in one time order. Thread
 * i runs on the i-th CPU the process may use (round robin), so that the threads record into several of
 * the inline engine's per-CPU rings whatever else the machine is doing. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long rounds, pause_us, tiny_every;

__attribute__((noinline)) long record(long idx, long j) {
    __asm__ volatile("" ::: "memory");
    return idx * 1000 + j;
}

__attribute__((noinline)) int tiny(int j) {
    __asm__ volatile("" ::: "memory");
    return j + 1;
}

/* Pins the calling thread to the idx-th (round robin) CPU of the process's affinity mask. */
static void pin(long idx) {
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) == 0) {
        return;
    }
    long want = idx % CPU_COUNT(&allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && want-- == 0) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            return;
        }
    }
}

static void *run(void *arg) {
    long idx = (long) arg, sum = 0;
    pin(idx);
    for (long j = 0; j < rounds; j++) {
        sum += record(idx, j);
        if (tiny_every && j % tiny_every == 0) {
            sum += tiny((int) j);
        }
        if (pause_us) {
            usleep(pause_us);
        }
    }
    return (void *) sum;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: inline_order THREADS ROUNDS [PAUSE_US [TINY_EVERY]]\n");
        return 2;
    }
    int threads = atoi(argv[1]);
    rounds = atol(argv[2]);
    pause_us = argc > 3 ? atol(argv[3]) : 0;
    tiny_every = argc > 4 ? atol(argv[4]) : 0;
    pthread_t t[threads];
    for (long i = 0; i < threads; i++) {
        pthread_create(&t[i], NULL, run, (void *) i);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long) r;
    }
    printf("total %ld\n", total);
    return 0;
}
