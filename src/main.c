#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "cli/cli.h"
#include "cli/oci.h"

int main(int argc, char **argv)
{
    /* jansson seeds its hash tables on first use from /dev/urandom (open,
     * read, close in every command); one getrandom() does the same. A seed
     * of 0 leaves it to jansson. */
    uint32_t seed = 0;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
        json_object_seed(seed);
    const char *slash = strrchr(argv[0], '/');
    if (strcmp(slash ? slash + 1 : argv[0], "husk-oci") == 0)
        return cli_oci_main(argc, argv);
    return cli_main(argc, argv);
}
