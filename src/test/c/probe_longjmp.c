/* longjmp out of frames whose return probes are pending; probed calls go on afterwards. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static int jump_at = 0;

__attribute__((noinline)) int deep(int n) {
    if (n == jump_at) {
        longjmp(env, n + 1);
    }
    if (n == 0) {
        return 0;
    }
    return deep(n - 1) + 1;
}

int main(int argc, char **argv) {
    int depth = argc > 1 ? atoi(argv[1]) : 4;
    int r = setjmp(env);
    if (r == 0) {
        deep(depth); /* jumps back from the bottom: every deep() frame is skipped */
    }
    printf("longjmp returned %d\n", r);
    jump_at = -1;
    printf("deep %d\n", deep(2));
    return 0;
}
