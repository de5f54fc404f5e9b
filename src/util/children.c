#include "children.h"

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "cleanup.h"

void children_kill_all(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    cleanup_fclose FILE *list = fopen(path, "re");
    int pid;
    while (list != NULL && fscanf(list, "%d", &pid) == 1)
        if (pid > 0)
            kill(pid, SIGKILL);
}
