/*
 * A library the inline-engine tests load into the test JVM, patch and call: functions with register
 * and string arguments, loops that call them through pointers (so nothing is inlined), and functions
 * whose first bytes a branch lands in.
 */
#include <string.h>

__attribute__((noinline)) long il_add(long a, long b) {
    return a + b;
}

__attribute__((noinline)) long il_strlen(const char *s, long k) {
    return (long)strlen(s) + k;
}

/* Reads a field of a struct through a pointer: for memory fetch arguments. */
struct il_pair {
    long first;               /* +0 */
    const char *name;         /* +8 */
    unsigned char bytes[4];   /* +16 */
    const char *names[2];     /* +24, +32 */
};

const char il_greeting[] = "hello from rodata";
long il_counter = 1;

/* Starts with a RIP-relative load (of il_counter's GOT entry): a displaced instruction to re-target. */
__attribute__((noinline)) long il_bump(long k) {
    il_counter += k;
    return il_counter;
}

/* cmp, then a flags-neutral 5-byte mov to probe, then a jump on the flags of the cmp. */
__asm__(".text\n.globl il_above\n.type il_above,@function\nil_above:\n"
        "  cmp %rsi,%rdi\n  mov $1,%eax\n  ja 1f\n  mov $0,%eax\n1:\n  ret\n.size il_above,.-il_above\n");

__attribute__((noinline)) long il_pair_sum(const struct il_pair *p, long k) {
    return p->first + p->bytes[0] + k;
}

long (*volatile il_add_ptr)(long, long) = il_add;
long (*volatile il_strlen_ptr)(const char *, long) = il_strlen;

long il_add_loop(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) s += il_add_ptr(i, 1);
    return s;
}

long il_strlen_loop(long n, const char *str) {
    long s = 0;
    for (long i = 0; i < n; i++) s += il_strlen_ptr(str, i);
    return s;
}

/* A loop whose branch lands 2 bytes after the function's start, inside a 5-byte jump. */
__asm__(".text\n.globl il_loopback\n.type il_loopback,@function\nil_loopback:\n"
        "  xor %eax,%eax\n1:\n  add %rdi,%rax\n  dec %rdi\n  jnz 1b\n  ret\n.size il_loopback,.-il_loopback\n");

/* Three bytes of code: too short for a 5-byte jump. */
__asm__(".text\n.globl il_tiny\n.type il_tiny,@function\nil_tiny:\n  mov %rdi,%rax\n.size il_tiny,.-il_tiny\n  ret\n");

/* A function whose first instruction is a syscall. */
__asm__(".text\n.globl il_getpid\n.type il_getpid,@function\nil_getpid:\n  mov $39,%eax\n  syscall\n  ret\n.size il_getpid,.-il_getpid\n");

/* A switch compiled to a jump table: its case labels are branch targets only the table shows. */
__attribute__((noinline)) long il_switch(long x, long y) {
    switch (x) {
    case 0: return y + 11;
    case 1: return y * 3;
    case 2: return y - x;
    case 3: return y ^ 0x55;
    case 4: return y << 2;
    case 5: return -y;
    case 6: return y * y;
    case 7: return y / 7;
    default: return 42;
    }
}

/* A tail call through a register: where the jump goes is not in the file. */
__attribute__((noinline)) long il_call_ptr(long (*f)(long), long x) {
    return f(x + 1);
}

/* Recursion that stays recursion: the asm keeps gcc from turning it into a loop. */
__attribute__((noinline)) long il_depth(long n) {
    if (n == 0) return 0;
    long r = il_depth(n - 1);
    __asm__ volatile("" : "+r"(r));
    return r + n;
}

/* A tail call: mov $2,%esi; jmp il_add. */
__attribute__((noinline)) long il_tail(long x) {
    return il_add(x, 2);
}

#include <setjmp.h>
static jmp_buf il_env;

/* Leaves through longjmp when x is not 0: its return never happens. */
__attribute__((noinline)) long il_leave(long x) {
    if (x) longjmp(il_env, 1);
    return x;
}

long il_longjmp_then_add(long x) {
    if (setjmp(il_env) == 0) {
        il_leave(x);
        return -1;
    }
    return il_add_ptr(x, 1);
}

/* Catches il_leave's longjmp in its own frame, then returns: il_leave's hijacked frame is gone. */
__attribute__((noinline)) long il_catch(long x) {
    if (setjmp(il_env) == 0) il_leave(x);
    return x + 100;
}
