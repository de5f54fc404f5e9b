/*
 * timeit: run several commands N times each, interleaved (a, b, c, a, b, c, ...), time
 * every run's wall clock (fork to reap, CLOCK_MONOTONIC) and print medians.
 *
 *   timeit [-n RUNS] [-w WARMUP] [-t TIMEOUT_S] [-o RAW.csv] [-p] [-u LABEL]... [-v]
 *          LABEL=COMMAND...
 *
 * COMMAND is split on blanks (no quoting); "%i" in it becomes a number unique to the run,
 * so container names never repeat. The first LABEL is the reference for the ratios.
 *
 * -p   run every command in a private mount namespace of our own (propagation private),
 *      so nothing a runtime mounts can reach the host's mount table.
 * -u L run LABEL L's commands in a second private mount namespace in which the cgroup2
 *      mount at /sys/fs/cgroup/unified is detached (a hybrid-cgroup host looks like a
 *      pure cgroup v1 host there; crun 1.8 refuses hybrid hosts). "-u '*'" means all.
 *      Implies -p. Every child joins its namespace with setns() after fork, so every
 *      command pays the same (tiny) cost whichever namespace it runs in.
 *
 * Exit status: 0 when every run exited 0, 1 otherwise (the first failure stops the bench).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS    16
#define MAX_ARGS    64
#define UNIFIED_DIR "/sys/fs/cgroup/unified"

struct cmd {
    char *label;
    char *argv[MAX_ARGS + 1];
    int argc;
    int hide_unified;
    double *ms;
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;
static int ns_fd_plain = -1;  /* private mount ns, host cgroup view */
static int ns_fd_hidden = -1; /* private mount ns, /sys/fs/cgroup/unified detached */
static char cwd[4096];

static void die(const char *what)
{
    fprintf(stderr, "timeit: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int count_mounts(void)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int n = 0, c;
    if (!f)
        return -1;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static int is_mountpoint(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[8192], mnt[4096];
    int found = 0;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && strcmp(mnt, path) == 0;
    fclose(f);
    return found;
}

/* Enter a fresh mount namespace whose mounts no longer propagate to or from the host. */
static int new_private_ns(void)
{
    int fd;
    if (unshare(CLONE_NEWNS) < 0)
        die("unshare(CLONE_NEWNS)");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("mount --make-rprivate /");
    fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open /proc/self/ns/mnt");
    return fd;
}

static void setup_namespaces(int want_hidden)
{
    ns_fd_plain = new_private_ns();
    if (!want_hidden)
        return;
    ns_fd_hidden = new_private_ns();
    while (is_mountpoint(UNIFIED_DIR))
        if (umount2(UNIFIED_DIR, MNT_DETACH) < 0)
            die("umount " UNIFIED_DIR " (in the private namespace)");
    if (setns(ns_fd_plain, CLONE_NEWNS) < 0)
        die("setns");
    if (chdir(cwd) < 0)
        die("chdir");
}

static void report_mount_leaks(int before_plain, int before_hidden)
{
    int after;
    if (ns_fd_plain < 0)
        return;
    after = count_mounts();
    if (after != before_plain)
        fprintf(stderr, "timeit: WARNING: %d mount(s) left in the private namespace\n",
                after - before_plain);
    if (ns_fd_hidden < 0)
        return;
    if (setns(ns_fd_hidden, CLONE_NEWNS) < 0)
        die("setns");
    after = count_mounts();
    if (after != before_hidden)
        fprintf(stderr, "timeit: WARNING: %d mount(s) left in the cgroup-v1-view namespace\n",
                after - before_hidden);
    if (setns(ns_fd_plain, CLONE_NEWNS) < 0)
        die("setns");
}

static void parse_cmd(struct cmd *c, char *spec)
{
    char *eq = strchr(spec, '='), *tok, *save = NULL;
    if (!eq || eq == spec) {
        fprintf(stderr, "timeit: expected LABEL=COMMAND, got '%s'\n", spec);
        exit(2);
    }
    *eq = '\0';
    c->label = spec;
    for (tok = strtok_r(eq + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (c->argc == MAX_ARGS) {
            fprintf(stderr, "timeit: too many arguments for '%s'\n", c->label);
            exit(2);
        }
        c->argv[c->argc++] = tok;
    }
    if (c->argc == 0) {
        fprintf(stderr, "timeit: empty command for '%s'\n", c->label);
        exit(2);
    }
}

/* Copy of argv with every "%i" replaced by seq. */
static char **expand(const struct cmd *c, long seq, char *buf, size_t bufsz)
{
    static char *argv[MAX_ARGS + 1];
    size_t used = 0;
    for (int i = 0; i < c->argc; i++) {
        const char *s = c->argv[i];
        argv[i] = buf + used;
        while (*s && used + 24 < bufsz) {
            if (s[0] == '%' && s[1] == 'i') {
                used += snprintf(buf + used, bufsz - used, "%ld", seq);
                s += 2;
            } else {
                buf[used++] = *s++;
            }
        }
        buf[used++] = '\0';
    }
    argv[c->argc] = NULL;
    return argv;
}

/* Runs one command; returns its wall time in ms, or a negative number on failure. */
static double run_once(const struct cmd *c, long seq, int timeout_s, int verbose)
{
    char buf[8192];
    char **argv = expand(c, seq, buf, sizeof buf);
    int status, pidfd, nsfd = c->hide_unified ? ns_fd_hidden : ns_fd_plain;
    struct pollfd pfd;
    double t0, t1;
    pid_t pid;

    t0 = now_ms();
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            if (!verbose)
                dup2(devnull, 1);
        }
        if (nsfd >= 0 && (setns(nsfd, CLONE_NEWNS) < 0 || chdir(cwd) < 0))
            _exit(126);
        execvp(argv[0], argv);
        fprintf(stderr, "timeit: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        pfd.fd = pidfd;
        pfd.events = POLLIN;
        int r;
        do
            r = poll(&pfd, 1, timeout_s * 1000);
        while (r < 0 && errno == EINTR);
        close(pidfd);
        if (r == 0) {
            fprintf(stderr, "timeit: %s run %ld timed out after %ds, killing pid %d\n", c->label,
                    seq, timeout_s, pid);
            kill(pid, SIGKILL);
        }
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    t1 = now_ms();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "timeit: %s run %ld failed (%s %d):", c->label, seq,
                WIFEXITED(status) ? "exit" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fputc('\n', stderr);
        return -1;
    }
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median, p90, min, max, mean, sd;
};

static struct stats compute(const double *v, int n)
{
    struct stats s = {0};
    double *t = malloc(n * sizeof *t);
    if (!t)
        die("malloc");
    memcpy(t, v, n * sizeof *t);
    qsort(t, n, sizeof *t, cmp_double);
    s.median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    s.p90 = t[(int)ceil(0.9 * n) - 1]; /* nearest rank */
    s.min = t[0];
    s.max = t[n - 1];
    for (int i = 0; i < n; i++)
        s.mean += t[i] / n;
    for (int i = 0; i < n; i++)
        s.sd += (t[i] - s.mean) * (t[i] - s.mean) / (n > 1 ? n - 1 : 1);
    s.sd = sqrt(s.sd);
    free(t);
    return s;
}

static void usage(void)
{
    fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-t TIMEOUT_S] [-o RAW.csv] [-p] "
                    "[-u LABEL]... [-v] LABEL=COMMAND...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int runs = 30, warmup = 3, timeout_s = 60, private_ns = 0, verbose = 0, opt;
    const char *raw_path = NULL, *hide[MAX_CMDS];
    int nhide = 0, want_hidden = 0, mounts_plain = 0, mounts_hidden = 0;
    FILE *raw = NULL;
    long seq = 0;

    while ((opt = getopt(argc, argv, "n:w:t:o:pu:v")) != -1) {
        switch (opt) {
        case 'n':
            runs = atoi(optarg);
            break;
        case 'w':
            warmup = atoi(optarg);
            break;
        case 't':
            timeout_s = atoi(optarg);
            break;
        case 'o':
            raw_path = optarg;
            break;
        case 'p':
            private_ns = 1;
            break;
        case 'u':
            if (nhide == MAX_CMDS)
                usage();
            hide[nhide++] = optarg;
            private_ns = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            usage();
        }
    }
    if (runs < 1 || warmup < 0 || timeout_s < 1 || optind == argc || argc - optind > MAX_CMDS)
        usage();
    for (int i = optind; i < argc; i++)
        parse_cmd(&cmds[ncmds++], argv[i]);
    for (int i = 0; i < ncmds; i++) {
        for (int j = 0; j < nhide; j++)
            if (strcmp(hide[j], "*") == 0 || strcmp(hide[j], cmds[i].label) == 0)
                cmds[i].hide_unified = 1;
        want_hidden |= cmds[i].hide_unified;
        cmds[i].ms = calloc(runs, sizeof(double));
        if (!cmds[i].ms)
            die("calloc");
    }
    if (!getcwd(cwd, sizeof cwd))
        die("getcwd");
    if (raw_path && !(raw = fopen(raw_path, "w")))
        die(raw_path);
    if (raw)
        fprintf(raw, "round,label,ms\n");

    if (private_ns) {
        setup_namespaces(want_hidden);
        mounts_plain = count_mounts();
        if (ns_fd_hidden >= 0) {
            if (setns(ns_fd_hidden, CLONE_NEWNS) < 0)
                die("setns");
            mounts_hidden = count_mounts();
            if (setns(ns_fd_plain, CLONE_NEWNS) < 0)
                die("setns");
        }
    }

    for (int round = -warmup; round < runs; round++) {
        for (int i = 0; i < ncmds; i++) {
            double ms = run_once(&cmds[i], seq++, timeout_s, verbose);
            if (ms < 0)
                return 1;
            if (round >= 0)
                cmds[i].ms[round] = ms;
            if (raw && round >= 0)
                fprintf(raw, "%d,%s,%.3f\n", round, cmds[i].label, ms);
        }
    }
    if (raw)
        fclose(raw);
    report_mount_leaks(mounts_plain, mounts_hidden);

    struct stats ref = compute(cmds[0].ms, runs);
    printf("%-9s %10s %8s %8s %8s %8s  ratio_vs_%s\n", "runtime", "median_ms", "p90_ms", "min_ms",
           "mean_ms", "sd_ms", cmds[0].label);
    for (int i = 0; i < ncmds; i++) {
        struct stats s = compute(cmds[i].ms, runs);
        printf("%-9s %10.2f %8.2f %8.2f %8.2f %8.2f  %.2f\n", cmds[i].label, s.median, s.p90, s.min,
               s.mean, s.sd, s.median / ref.median);
    }
    for (int i = 1; i < ncmds; i++) {
        struct stats s = compute(cmds[i].ms, runs);
        printf("%s%s/%s = %.2f", i > 1 ? "  " : "", cmds[0].label, cmds[i].label,
               ref.median / s.median);
    }
    printf("\n(%d runs each after %d warm-up rounds, interleaved; ratios are of medians)\n", runs,
           warmup);
    return 0;
}
