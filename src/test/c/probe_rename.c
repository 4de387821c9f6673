/* Threads that rename themselves and move between CPUs. Each call of mark(cpu, name) happens on CPU
 * `cpu` (the thread is pinned there) with the thread named `name`: what its trace line must show in
 * the TASK and CPU# columns. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((noinline)) int mark(int cpu, const char *name) {
    __asm__ volatile("" : : "r"(name) : "memory");
    return cpu;
}

static void on_cpu(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    sched_setaffinity(0, sizeof s, &s); /* moves the thread before the call returns */
}

static void *worker(void *arg) {
    int last = *(int *) arg;
    pthread_setname_np(pthread_self(), "pr-worker");
    on_cpu(last);
    mark(last, "pr-worker");
    on_cpu(0);
    mark(0, "pr-worker");
    prctl(PR_SET_NAME, "pr-worker2");
    mark(0, "pr-worker2");
    return NULL;
}

int main(void) {
    int last = (int) sysconf(_SC_NPROCESSORS_ONLN) - 1;
    on_cpu(0);
    mark(0, "probe_rename");
    on_cpu(last);
    mark(last, "probe_rename");
    prctl(PR_SET_NAME, "pr-main");
    mark(last, "pr-main");
    pthread_t t;
    pthread_create(&t, NULL, worker, &last);
    pthread_join(t, NULL);
    puts("renamed and moved");
    return 0;
}
