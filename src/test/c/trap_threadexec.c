/* A thread other than the main one calls execve: the kernel gives it the leader's pid. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *run(void *arg) {
    (void)arg;
    execl("/bin/echo", "echo", "exec'ed from a thread", (char *)NULL);
    return NULL;
}

int main(void) {
    printf("pid keeps its id across exec\n");
    fflush(stdout);
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    for (;;) pause();
}
