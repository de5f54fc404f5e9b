#include "identity_options.h"

#include <stddef.h>

bool cli_identity_flag(int option, const char *argument, struct identity_flags *f)
{
    struct flag_list *list = NULL;
    switch (option) {
    case CLI_OPTION_ENV_FILE:
        list = &f->env_files;
        break;
    case 'l':
        list = &f->labels;
        break;
    case CLI_OPTION_LABEL_FILE:
        list = &f->label_files;
        break;
    case 'a':
        list = &f->attach;
        break;
    case CLI_OPTION_ADD_HOST:
        list = &f->add_hosts;
        break;
    case CLI_OPTION_DNS:
        list = &f->dns;
        break;
    case CLI_OPTION_DNS_SEARCH:
        list = &f->dns_search;
        break;
    case CLI_OPTION_DNS_OPTION:
        list = &f->dns_options;
        break;
    case CLI_OPTION_NETWORK_ALIAS:
        list = &f->network_aliases;
        break;
    case CLI_OPTION_GROUP_ADD:
        list = &f->group_add;
        break;
    case CLI_OPTION_STOP_TIMEOUT:
        f->stop_timeout = argument;
        return true;
    case CLI_OPTION_CIDFILE:
        f->cidfile = argument;
        return true;
    case CLI_OPTION_SIG_PROXY:
        f->sig_proxy = argument ? argument : "true";
        return true;
    case CLI_OPTION_IP:
        f->ip = argument;
        return true;
    case CLI_OPTION_MAC_ADDRESS:
        f->mac_address = argument;
        return true;
    case CLI_OPTION_DOMAINNAME:
        f->domainname = argument;
        return true;
    case CLI_OPTION_SHM_SIZE:
        f->shm_size = argument;
        return true;
    default:
        return false;
    }
    flag_list_add(list, argument);
    return true;
}
