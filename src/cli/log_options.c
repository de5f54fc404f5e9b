#include "log_options.h"

#include <stdlib.h>

bool cli_log_flag(int option, const char *argument, struct log_flags *f)
{
    switch (option) {
    case CLI_OPTION_LOG_DRIVER:
        f->driver = argument;
        return true;
    case CLI_OPTION_LOG_OPT:
        flag_list_add(&f->opts, argument);
        return true;
    default:
        return false;
    }
}

void cli_log_flags_free(struct log_flags *f)
{
    free(f->opts.values);
    f->opts = (struct flag_list){NULL, 0};
}
