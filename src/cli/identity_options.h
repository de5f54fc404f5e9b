/* The identity flags of `run` and `create` (engine/identity_flags.h): their
 * rows of the option table and where each value goes. */
#ifndef HUSK_CLI_IDENTITY_OPTIONS_H
#define HUSK_CLI_IDENTITY_OPTIONS_H

#include <stdbool.h>

#include "../engine/identity_flags.h"
#include "option_table.h"

enum {
    CLI_OPTION_ENV_FILE = 1100,
    CLI_OPTION_LABEL_FILE,
    CLI_OPTION_STOP_TIMEOUT,
    CLI_OPTION_CIDFILE,
    CLI_OPTION_SIG_PROXY,
    CLI_OPTION_ADD_HOST,
    CLI_OPTION_DNS,
    CLI_OPTION_DNS_SEARCH,
    CLI_OPTION_DNS_OPTION,
    CLI_OPTION_NETWORK_ALIAS,
    CLI_OPTION_IP,
    CLI_OPTION_MAC_ADDRESS,
    CLI_OPTION_DOMAINNAME,
    CLI_OPTION_GROUP_ADD,
    CLI_OPTION_SHM_SIZE,
};

/* clang-format off */
#define CLI_IDENTITY_OPTIONS \
    {{"env-file", required_argument, NULL, CLI_OPTION_ENV_FILE}, 0, "FILE", \
     "KEY=VALUE lines (KEY alone: husk's value; # comments);\n" \
     "-e overrides them"}, \
    {{"label", required_argument, NULL, 'l'}, 'l', "KEY[=VALUE]", \
     "a label, over the image's (Config.Labels)"}, \
    {{"label-file", required_argument, NULL, CLI_OPTION_LABEL_FILE}, 0, "FILE", \
     "KEY=VALUE lines of labels (-l overrides them)"}, \
    {{"stop-timeout", required_argument, NULL, CLI_OPTION_STOP_TIMEOUT}, 0, "N", \
     "seconds stop and restart wait before SIGKILL\n" \
     "(default 10; negative: for ever)"}, \
    {{"cidfile", required_argument, NULL, CLI_OPTION_CIDFILE}, 0, "FILE", \
     "write the container's ID to FILE (must not exist)"}, \
    {{"attach", required_argument, NULL, 'a'}, 'a', "STREAM", \
     "STDOUT, STDERR (repeatable): show only these (the log\n" \
     "keeps all); STDIN: as -i"}, \
    {{"add-host", required_argument, NULL, CLI_OPTION_ADD_HOST}, 0, "NAME:IP", \
     "an /etc/hosts line (NAME=IP too; IP host-gateway:\n" \
     "the host's address on the container's network)"}, \
    {{"dns", required_argument, NULL, CLI_OPTION_DNS}, 0, "IP", \
     "a name server for /etc/resolv.conf (repeatable)"}, \
    {{"dns-search", required_argument, NULL, CLI_OPTION_DNS_SEARCH}, 0, "DOMAIN", \
     "a search domain for /etc/resolv.conf (\".\": none)"}, \
    {{"dns-option", required_argument, NULL, CLI_OPTION_DNS_OPTION}, 0, "OPT", \
     "a resolver option for /etc/resolv.conf (ndots:2, ...)"}, \
    {{"dns-opt", required_argument, NULL, CLI_OPTION_DNS_OPTION}, 0, NULL, NULL}, \
    {{"network-alias", required_argument, NULL, CLI_OPTION_NETWORK_ALIAS}, 0, "NAME", \
     "another name for it on its user-defined network"}, \
    {{"net-alias", required_argument, NULL, CLI_OPTION_NETWORK_ALIAS}, 0, NULL, NULL}, \
    {{"ip", required_argument, NULL, CLI_OPTION_IP}, 0, "IPV4", \
     "its address on its user-defined network"}, \
    {{"mac-address", required_argument, NULL, CLI_OPTION_MAC_ADDRESS}, 0, "MAC", \
     "its eth0's MAC address (e.g. 92:d0:c6:0a:29:33)"}, \
    {{"domainname", required_argument, NULL, CLI_OPTION_DOMAINNAME}, 0, "NAME", \
     "its (NIS) domain name"}, \
    {{"group-add", required_argument, NULL, CLI_OPTION_GROUP_ADD}, 0, "GROUP", \
     "an extra group: a name in the image's /etc/group, or a gid"}, \
    {{"shm-size", required_argument, NULL, CLI_OPTION_SHM_SIZE}, 0, "SIZE", \
     "size of /dev/shm (b, k, m, g; default 64m)"}
#define CLI_SIG_PROXY_OPTION \
    {{"sig-proxy", optional_argument, NULL, CLI_OPTION_SIG_PROXY}, 0, NULL, \
     "forward husk's signals to the container (default);\n" \
     "--sig-proxy=false: they end husk, the container runs on"}
/* clang-format on */

/* Sets what OPTION stands for; false when it is no identity flag. */
bool cli_identity_flag(int option, const char *argument, struct identity_flags *flags);

#endif
