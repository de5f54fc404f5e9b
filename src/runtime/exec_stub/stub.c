/* husk's exec trampoline: the last program a container process runs before
 * its own command, executed from a sealed memfd.
 *
 * Why it exists: until its final execve() a container process is a copy of
 * husk, so /proc/PID/exe inside the container names husk's binary on the
 * host. A command that resolves to /proc/self/exe (a "#!/proc/self/exe"
 * script, a symlink to it) would make the kernel run husk's binary inside
 * the container, where container root could reopen it for writing
 * (CVE-2019-5736). The process therefore execs this stub first: from then on
 * /proc/self/exe is a sealed memfd, and whatever the command resolves to, the
 * host's husk binary is out of reach. The stub is a few KiB without libc, so
 * the extra exec costs well under a tenth of a millisecond.
 *
 *   argv: STUB FD COMMAND ARG0 ARG1 ...    envp: the container's environment
 *
 * FD is husk's setup socket; it is closed by the final exec (CLOEXEC), which
 * tells husk the command runs. If no exec succeeds the stub sends the error
 * as a sync_message, as husk's own code would, and exits 126 or 127.
 *
 * Built with -nostdlib -ffreestanding: no libc, no relocations. */
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "../sync.h"

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call stub_main\n"
        "  hlt\n");

static long sys3(long number, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  mov x0, sp\n"
        "  bl stub_main\n"
        "  brk #0\n");

static long sys3(long number, long a, long b, long c)
{
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#else
#error "husk's exec stub supports x86_64 and aarch64"
#endif

/* The compiler may emit calls to these for struct initialisation. */
void *memset(void *destination, int value, size_t length)
{
    unsigned char *p = destination;
    while (length--)
        *p++ = (unsigned char)value;
    return destination;
}

void *memcpy(void *destination, const void *source, size_t length)
{
    unsigned char *d = destination;
    const unsigned char *s = source;
    while (length--)
        *d++ = *s++;
    return destination;
}

static size_t length_of(const char *text)
{
    size_t n = 0;
    while (text[n])
        n++;
    return n;
}

static const char *find_char(const char *text, char wanted)
{
    for (; *text; text++)
        if (*text == wanted)
            return text;
    return NULL;
}

/* Appends TEXT to BUFFER (capacity CAPACITY, used *USED), truncating. */
static void append(char *buffer, size_t capacity, size_t *used, const char *text, size_t length)
{
    while (length-- && *used + 1 < capacity)
        buffer[(*used)++] = *text++;
    buffer[*used] = '\0';
}

static __attribute__((noreturn)) void fail(int fd, int status, int error, const char *command,
                                           const char *detail)
{
    struct sync_message message = {.kind = SYNC_ERROR, .exit_status = status, .errno_value = error};
    size_t used = 0;
    append(message.text, sizeof(message.text), &used, "exec \"", 6);
    append(message.text, sizeof(message.text), &used, command, length_of(command));
    append(message.text, sizeof(message.text), &used, "\"", 1);
    append(message.text, sizeof(message.text), &used, detail, length_of(detail));
    sys3(SYS_write, fd, (long)&message, sizeof(message));
    sys3(SYS_exit_group, status, 0, 0);
    __builtin_unreachable();
}

static const char *path_of(char **envp)
{
    for (; *envp; envp++)
        if ((*envp)[0] == 'P' && (*envp)[1] == 'A' && (*envp)[2] == 'T' && (*envp)[3] == 'H' &&
            (*envp)[4] == '=')
            return *envp + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvpe's search, reporting as husk does: 127 when nothing is found, 126
 * when something was found but could not be executed. */
static __attribute__((noreturn)) void search_and_exec(int fd, const char *command, char **argv,
                                                      char **envp)
{
    int denied = 0;
    size_t command_length = length_of(command);
    for (const char *dir = path_of(envp); dir != NULL;) {
        const char *colon = find_char(dir, ':');
        size_t length = colon ? (size_t)(colon - dir) : length_of(dir);
        char candidate[4096];
        size_t used = 0;
        append(candidate, sizeof(candidate), &used, length ? dir : ".", length ? length : 1);
        append(candidate, sizeof(candidate), &used, "/", 1);
        append(candidate, sizeof(candidate), &used, command, command_length);
        if (used + 1 < sizeof(candidate)) {
            long rc = sys3(SYS_execve, (long)candidate, (long)argv, (long)envp);
            if (rc != -ENOENT && rc != -ENOTDIR)
                denied = (int)-rc;
        }
        dir = colon ? colon + 1 : NULL;
    }
    if (denied)
        fail(fd, 126, denied, command, "");
    fail(fd, 127, 0, command, ": executable file not found in $PATH");
}

__attribute__((used, noreturn)) void stub_main(long *stack)
{
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 4)
        sys3(SYS_exit_group, 125, 0, 0);
    /* Exec made this process dumpable again (the memfd is readable): while
     * it holds husk's setup socket, container root must not take a copy of
     * it (pidfd_getfd, ptrace). The command's exec resets this. */
    sys3(SYS_prctl, PR_SET_DUMPABLE, 0, 0);
    int fd = 0;
    for (const char *digit = argv[1]; *digit >= '0' && *digit <= '9'; digit++)
        fd = fd * 10 + (*digit - '0');
    /* The command's exec must close the socket: that is how husk learns it
     * runs. */
    sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
    const char *command = argv[2];
    if (find_char(command, '/') == NULL)
        search_and_exec(fd, command, argv + 3, envp);
    long rc = sys3(SYS_execve, (long)command, (long)(argv + 3), (long)envp);
    if (rc == -ENOENT || rc == -ENOTDIR)
        fail(fd, 127, 0, command, ": no such file or directory");
    fail(fd, 126, (int)-rc, command, "");
}
