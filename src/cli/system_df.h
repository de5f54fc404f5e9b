/* `husk system df -v`: docker's four sections (images, containers, local
 * volumes, build cache) from engine_system_df_verbose. */
#ifndef HUSK_CLI_SYSTEM_DF_H
#define HUSK_CLI_SYSTEM_DF_H

#include <jansson.h>

void cli_print_df_verbose(json_t *usage);

#endif
