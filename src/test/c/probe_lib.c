/* A library that probe_dlopen loads with dlopen. */
__attribute__((noinline)) int lib_mul(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a * b;
}
