/* The libraries of ustack_dlopen.c: built twice, with ENTRY named entry_a and entry_b. */
extern void callback(int);

static volatile int after;

__attribute__((noipa)) void ENTRY(int x) {
    callback(x);
    after++; /* not a tail call: ENTRY stays on the stack */
}
