/*
 * A vfork child calls probed functions before it exits, while another thread of its parent calls one
 * too: the child's hits are the child's (its own pid and tid), the thread's its own.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_ready, thread_done;

__attribute__((noinline)) int add(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a * 1000 + b;
}

static void *helper(void *arg) {
    while (!__atomic_load_n(&child_ready, __ATOMIC_ACQUIRE)) {
        usleep(100);
    }
    add(3, 3); /* while the vfork child runs, in the parent's memory */
    __atomic_store_n(&thread_done, 1, __ATOMIC_RELEASE);
    return arg;
}

int main(void) {
    add(1, 1);
    pthread_t t;
    pthread_create(&t, NULL, helper, NULL);
    pid_t v = vfork();
    if (v == 0) {
        add(2, 2);
        __atomic_store_n(&child_ready, 1, __ATOMIC_RELEASE); /* shared memory until _exit */
        while (!__atomic_load_n(&thread_done, __ATOMIC_ACQUIRE)) {
            usleep(100);
        }
        _exit(add(4, 4) == 4004 ? 8 : 1);
    }
    int st;
    waitpid(v, &st, 0);
    pthread_join(t, NULL);
    printf("vfork child status %d, then %d\n", WEXITSTATUS(st), add(5, 5));
    return 0;
}
