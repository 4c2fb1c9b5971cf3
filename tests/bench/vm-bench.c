/*
 * vm-bench: run whole VMs (emulator command lines) alternately and time
 * them from exec to exit, with the peak resident memory each emulator uses
 * beyond its guest's RAM. Runs inside the functional suite's guest (see
 * tests/bench/kvm-boot), next to the emulators it compares.
 *
 *   vm-bench ROUNDS RAM_MIB DONE_MARK NAME -- ARGV... [NAME -- ARGV...]...
 *
 * A run counts only if the emulator exits 0 and its console printed
 * DONE_MARK; the run's console lines that hold the DONE_MARK's first
 * word (the guest's reports) are echoed. The guest RAM is the emulator's
 * anonymous mapping of
 * RAM_MIB MiB (up to 4 MiB more for alignment); its resident pages are
 * the guest's, the rest of the RSS is the emulator's own. Sampled every
 * 20 ms from /proc/PID/smaps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VMS 4
#define MAX_ROUNDS 64

typedef struct VM {
    const char *name;
    char **argv;
    double seconds[MAX_ROUNDS];
    double extra_kib[MAX_ROUNDS];
} VM;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Total Rss and the guest RAM mapping's Rss of @pid, in KiB. */
static bool sample(pid_t pid, uint64_t ram_kib, uint64_t *total,
                   uint64_t *ram)
{
    char path[64], line[512];
    FILE *f;
    bool in_ram = false;

    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return false;
    }
    *total = *ram = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long start, end, kib;

        if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
            strchr(line, ' ')) {
            uint64_t size_kib = (end - start) / 1024;

            in_ram = size_kib >= ram_kib && size_kib <= ram_kib + 4096;
        } else if (sscanf(line, "Rss: %lu kB", &kib) == 1) {
            *total += kib;
            if (in_ram) {
                *ram += kib;
            }
        }
    }
    fclose(f);
    return true;
}

static bool output_has(const char *path, const char *mark)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    bool found = false;

    if (!f) {
        return false;
    }
    while (!found && fgets(line, sizeof(line), f)) {
        found = strstr(line, mark) != NULL;
    }
    fclose(f);
    return found;
}

/* Echo the lines of @path that hold the first word of @mark. */
static void echo_reports(const char *name, int round, const char *path,
                         const char *mark)
{
    char word[64], line[4096];
    FILE *f = fopen(path, "r");

    snprintf(word, sizeof(word), "%.*s", (int)strcspn(mark, " "), mark);
    while (f && fgets(line, sizeof(line), f)) {
        char *w = strstr(line, word);

        if (w) {
            printf("vm-bench: %s round %d: %s", name, round + 1, w);
        }
    }
    if (f) {
        fclose(f);
    }
}

static bool run_one(VM *vm, int round, uint64_t ram_kib, const char *mark)
{
    char out[128];
    double t0 = now();
    uint64_t extra = 0, total, ram;
    int status = 0;
    pid_t pid, r;

    snprintf(out, sizeof(out), "/tmp/vm-bench-%s-%d.log", vm->name, round);
    pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        dup2(fd, 1);
        dup2(fd, 2);
        dup2(open("/dev/null", O_RDONLY), 0);
        execv(vm->argv[0], vm->argv);
        _exit(127);
    }
    for (;;) {
        r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            break;
        }
        if (sample(pid, ram_kib, &total, &ram) && total - ram > extra) {
            extra = total - ram;
        }
        usleep(20000);
    }
    vm->seconds[round] = now() - t0;
    vm->extra_kib[round] = extra;
    if (!WIFEXITED(status) || WEXITSTATUS(status) || !output_has(out, mark)) {
        printf("vm-bench: %s round %d FAILED (status 0x%x); its output is "
               "in %s\n", vm->name, round + 1, status, out);
        return false;
    }
    echo_reports(vm->name, round, out, mark);
    printf("vm-bench: %s round %d: %.3f s, %.1f MiB beyond guest RAM\n",
           vm->name, round + 1, vm->seconds[round], extra / 1024.0);
    fflush(stdout);
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS];

    memcpy(s, v, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    VM vms[MAX_VMS];
    int nvms = 0, rounds;
    uint64_t ram_kib;
    const char *mark;

    if (argc < 7) {
        fprintf(stderr, "usage: vm-bench ROUNDS RAM_MIB DONE_MARK NAME -- "
                "ARGV... [NAME -- ARGV...]...\n");
        return 2;
    }
    rounds = atoi(argv[1]);
    ram_kib = strtoull(argv[2], NULL, 10) * 1024;
    mark = argv[3];
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "vm-bench: 1 to %d rounds\n", MAX_ROUNDS);
        return 2;
    }
    /* NAME -- ARGV...: a NAME is a word followed by "--". */
    for (int i = 4; i < argc;) {
        int end = i + 2;

        if (i + 2 >= argc || strcmp(argv[i + 1], "--") || nvms == MAX_VMS) {
            fprintf(stderr, "vm-bench: expected NAME -- ARGV at '%s'\n",
                    argv[i]);
            return 2;
        }
        while (end < argc && !(end + 1 < argc && !strcmp(argv[end + 1], "--"))) {
            end++;
        }
        vms[nvms].name = argv[i];
        vms[nvms].argv = calloc(end - i - 1, sizeof(char *));
        memcpy(vms[nvms].argv, &argv[i + 2], (end - i - 2) * sizeof(char *));
        nvms++;
        i = end;
    }
    for (int r = 0; r < rounds; r++) {
        for (int v = 0; v < nvms; v++) {
            if (!run_one(&vms[v], r, ram_kib, mark)) {
                return 1;
            }
        }
    }
    for (int v = 0; v < nvms; v++) {
        printf("vm-bench: summary %s: exec to exit median %.3f s, beyond "
               "guest RAM median %.1f MiB (%d rounds)\n", vms[v].name,
               median(vms[v].seconds, rounds),
               median(vms[v].extra_kib, rounds) / 1024.0, rounds);
    }
    for (int v = 1; v < nvms; v++) {
        printf("vm-bench: ratio %s/%s: time %.2f, memory beyond guest RAM "
               "%.2f\n", vms[0].name, vms[v].name,
               median(vms[0].seconds, rounds) / median(vms[v].seconds, rounds),
               median(vms[0].extra_kib, rounds) /
               median(vms[v].extra_kib, rounds));
    }
    return 0;
}
