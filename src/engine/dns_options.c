#include "dns_options.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

/* The parts of a resolv.conf docker tells apart: each a list of words or
 * (OTHER) of whole lines, in the order the file gives them. */
struct resolv_parts {
    json_t *nameservers, *search, *options, *other;
};

static void add_words(json_t *list, char *rest)
{
    char *save = NULL;
    for (char *word = strtok_r(rest, " \t\r", &save); word; word = strtok_r(NULL, " \t\r", &save))
        json_array_append_new(list, json_string(word));
}

/* As the resolver (and docker) reads it: comments and blank lines dropped,
 * the last search (or domain) line wins, options add up. */
static void parse_line(struct resolv_parts *p, const char *line)
{
    char keyword[16];
    if (line[0] == '#' || line[0] == ';')
        return;
    line += strspn(line, " \t\r");
    size_t length = strcspn(line, " \t\r");
    if (line[0] == '\0')
        return;
    snprintf(keyword, sizeof(keyword), "%.*s", (int)(length < 15 ? length : 15), line);
    cleanup_free char *rest = xstrdup(line + length);
    if (strcmp(keyword, "nameserver") == 0) {
        char *save = NULL, *address = strtok_r(rest, " \t\r", &save);
        if (address != NULL)
            json_array_append_new(p->nameservers, json_string(address));
    } else if (strcmp(keyword, "search") == 0 || strcmp(keyword, "domain") == 0) {
        json_array_clear(p->search);
        add_words(p->search, rest);
    } else if (strcmp(keyword, "options") == 0) {
        add_words(p->options, rest);
    } else {
        json_array_append_new(p->other, json_string(line));
    }
}

static void print_words(FILE *out, const char *keyword, json_t *words)
{
    size_t i;
    json_t *word;
    if (json_array_size(words) == 0)
        return;
    fputs(keyword, out);
    json_array_foreach(words, i, word) fprintf(out, " %s", json_string_value(word));
    fputc('\n', out);
}

/* "." alone among --dns-search's values means no search domains. */
static json_t *search_without_root(json_t *given)
{
    json_t *search = json_array();
    size_t i;
    json_t *domain;
    json_array_foreach(given, i, domain) if (strcmp(json_string_value(domain), ".") != 0)
        json_array_append(search, domain);
    return search;
}

char *dns_resolv_conf(const char *base, json_t *host_config)
{
    json_t *dns = json_object_get(host_config, "Dns");
    json_t *search = json_object_get(host_config, "DnsSearch");
    json_t *options = json_object_get(host_config, "DnsOptions");
    if (json_array_size(dns) == 0 && json_array_size(search) == 0 && json_array_size(options) == 0)
        return xstrdup(base);
    struct resolv_parts p = {json_array(), json_array(), json_array(), json_array()};
    cleanup_free char *copy = xstrdup(base);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        parse_line(&p, line);
    if (json_array_size(dns) > 0) {
        json_array_clear(p.nameservers);
        json_array_extend(p.nameservers, dns);
    }
    if (json_array_size(search) > 0) {
        json_decref(p.search);
        p.search = search_without_root(search);
    }
    if (json_array_size(options) > 0) {
        json_array_clear(p.options);
        json_array_extend(p.options, options);
    }
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        xalloc_die();
    size_t i;
    json_t *item;
    json_array_foreach(p.nameservers, i, item)
        fprintf(out, "nameserver %s\n", json_string_value(item));
    print_words(out, "search", p.search);
    print_words(out, "options", p.options);
    json_array_foreach(p.other, i, item) fprintf(out, "%s\n", json_string_value(item));
    fclose(out);
    json_decref(p.nameservers);
    json_decref(p.search);
    json_decref(p.options);
    json_decref(p.other);
    return text;
}
