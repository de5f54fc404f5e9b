#include "shared_clone.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

/* A forked copy of husk costs its page tables at clone, a copy-on-write
 * fault for each page either side touches before the exec, and the
 * teardown of the copy at exec: more than the rest of a process's setup.
 * A child that shares the memory skips all three. It cannot return into
 * the caller's frames (vfork()'s trap), so it gets its own stack, and the
 * switch to it needs a few instructions of assembly: the C library has no
 * clone3() wrapper that takes a function. */

/* Child stack: as large as a main thread's usual one, since the exec's
 * argument vector is built on it; only the pages touched are ever backed.
 * The page under it is a guard. */
#define CHILD_STACK_SIZE (8 * 1024 * 1024)

#if defined(__x86_64__)
#define HAVE_SHARED_CLONE 1
/* long husk_clone3_entry(args, size, run, arg): clone3 leaves every register
 * but rax, rcx and r11 as it found them, in both tasks; the child starts on
 * args->stack with rax 0 and calls run(arg) there, then exits with its
 * result. */
long husk_clone3_entry(struct clone_args *args, size_t size, int (*run)(void *), void *arg);
__asm__(".pushsection .text\n"
        ".globl husk_clone3_entry\n"
        ".hidden husk_clone3_entry\n"
        ".type husk_clone3_entry,@function\n"
        "husk_clone3_entry:\n"
        "  .cfi_startproc\n"
        "  mov %rdx, %r8\n"
        "  mov %rcx, %r9\n"
        "  mov $" /* SYS_clone3 */ "435, %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jz 1f\n"
        "  ret\n"
        "1:\n"
        "  .cfi_undefined rip\n"
        "  xor %ebp, %ebp\n"
        "  mov %r9, %rdi\n"
        "  call *%r8\n"
        "  mov %eax, %edi\n"
        "  mov $" /* SYS_exit */ "60, %eax\n"
        "  syscall\n"
        "  hlt\n"
        "  .cfi_endproc\n"
        ".size husk_clone3_entry, .-husk_clone3_entry\n"
        ".popsection\n");
#endif

bool shared_clone_supported(void)
{
#ifdef HAVE_SHARED_CLONE
    return true;
#else
    return false;
#endif
}

long shared_clone(struct clone_args *args, int (*run)(void *arg), void *arg)
{
#ifdef HAVE_SHARED_CLONE
    size_t guard = 4096;
    char *area = mmap(NULL, CHILD_STACK_SIZE + guard, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (area == MAP_FAILED)
        return -1;
    if (mprotect(area, guard, PROT_NONE) < 0) {
        int saved = errno;
        munmap(area, CHILD_STACK_SIZE + guard);
        errno = saved;
        return -1;
    }
    struct clone_args shared = *args;
    shared.flags |= CLONE_VM | CLONE_VFORK;
    shared.stack = (uint64_t)(uintptr_t)(area + guard);
    shared.stack_size = CHILD_STACK_SIZE;
    long pid = husk_clone3_entry(&shared, sizeof(shared), run, arg);
    int saved_errno = 0;
    if (pid < 0) {
        saved_errno = (int)-pid;
        pid = -1;
    }
#if defined(__SANITIZE_ADDRESS__)
    /* The child's frames poisoned their red zones in the shadow of this
     * area; a later mapping at the same address must not inherit them. */
    ASAN_UNPOISON_MEMORY_REGION(area + guard, CHILD_STACK_SIZE);
#endif
    munmap(area, CHILD_STACK_SIZE + guard);
    if (pid < 0)
        errno = saved_errno;
    return pid;
#else
    (void)args;
    (void)run;
    (void)arg;
    errno = ENOSYS;
    return -1;
#endif
}
