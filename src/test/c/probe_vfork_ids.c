/*
 * A vfork child calls probed functions before it exits, while another thread of its parent calls one
 * too, and makes a vfork child of its own that calls one: each one's hits are its own (pid and tid).
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
        pid_t g = vfork(); /* a vfork child of the vfork child: on the same control block again */
        if (g == 0) {
            _exit(add(6, 6) == 6006 ? 0 : 1);
        }
        waitpid(g, NULL, 0);
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
