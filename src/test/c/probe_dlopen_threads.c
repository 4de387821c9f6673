/* Three threads run (spinning) while the main thread loads a library with dlopen; then all call into it. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

typedef int (*mul_fn)(int, int);
static mul_fn mul; /* set once the library is loaded */
static pthread_barrier_t started;

static void *run(void *arg) {
    long idx = (long) arg, sum = 0;
    pthread_barrier_wait(&started);
    mul_fn f;
    while ((f = __atomic_load_n(&mul, __ATOMIC_ACQUIRE)) == NULL) {
        usleep(100);
    }
    for (int j = 1; j <= 3; j++) {
        sum += f((int) idx, j);
    }
    return (void *) sum;
}

int main(int argc, char **argv) {
    pthread_t t[3];
    pthread_barrier_init(&started, NULL, 4);
    for (long i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, run, (void *) (i + 1));
    }
    pthread_barrier_wait(&started); /* every thread runs: the library comes in under their feet */
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    mul_fn f = (mul_fn) dlsym(h, "lib_mul");
    long total = f(10, 10);
    __atomic_store_n(&mul, f, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long) r;
    }
    printf("total %ld\n", total);
    return 0;
}
