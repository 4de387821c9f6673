/* A call through code in anonymous executable memory, as a JIT's: no symbol, no call-frame information,
 * but a frame pointer (push rbp; mov rbp, rsp), so a walk can go on through it to its caller. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static volatile long sink;

__attribute__((noipa)) long leaf(long x) {
    sink = x;
    return x + 1;
}

typedef long (*thunk_fn)(long (*)(long), long);

__attribute__((noipa)) long through_jit(thunk_fn thunk, long x) {
    long r = thunk(leaf, x);
    return r + 1;
}

int main(void) {
    /* push rbp; mov rbp, rsp; mov rax, rdi; mov rdi, rsi; call rax; pop rbp; ret */
    static const unsigned char code[] = {0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7,
                                         0xff, 0xd0, 0x5d, 0xc3};
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        return 1;
    }
    memcpy(m, code, sizeof code);
    mprotect(m, 4096, PROT_READ | PROT_EXEC);
    printf("%ld\n", through_jit((thunk_fn) m, 41));
    return 0;
}
