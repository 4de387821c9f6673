/* Threads with names the kernel keeps as bytes: UTF-8, bytes that are not UTF-8, leading and trailing
 * spaces, the full 15 bytes. Thread i names itself names[i], calls mark(i) and ends; the next starts
 * after it has ended. The TASK column of each hit must hold exactly those bytes, right-aligned in 16.
 * (One name a thread: the inline engine reads a thread's name after its hits, not at each hit. Built
 * with -O0: mark's first instructions then leave room for the inline engine's jump.) */
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>

static const char *const names[] = {
    "w\xc3\xb6rk-\xe5\xb7\xa5", /* wörk-工 */
    "bad\xff\xfe",
    "trailing  ",
    " lead",
    "fifteen-bytes-x",
};

__attribute__((noinline)) int mark(int i) {
    __asm__ volatile("" : : "r"(i) : "memory");
    return i;
}

static void *named(void *arg) {
    int i = (int) (long) arg;
    prctl(PR_SET_NAME, names[i]);
    mark(i);
    return NULL;
}

int main(void) {
    for (long i = 0; i < (long) (sizeof names / sizeof *names); i++) {
        pthread_t t;
        pthread_create(&t, NULL, named, (void *) i);
        pthread_join(t, NULL);
    }
    puts("named");
    return 0;
}
