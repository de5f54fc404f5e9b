#include "log_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long unit_nanoseconds(const char *unit, size_t length)
{
    static const struct {
        const char *name;
        long long nanoseconds;
    } units[] = {{"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000},  {"\xce\xbcs", 1000},
                 {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == length && strncmp(units[i].name, unit, length) == 0)
            return units[i].nanoseconds;
    return 0;
}

bool log_duration_parse(const char *text, long long *nanoseconds)
{
    const char *p = text;
    double sign = *p == '-' ? -1 : 1;
    if (*p == '-' || *p == '+')
        p++;
    if (strcmp(p, "0") == 0)
        return *nanoseconds = 0, true;
    double total = 0;
    if (*p == '\0')
        return false;
    while (*p != '\0') {
        const char *start = p;
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        if (p == start || (p - start == 1 && *start == '.'))
            return false;
        char number[64];
        snprintf(number, sizeof(number), "%.*s", (int)(p - start), start);
        char *end = NULL;
        double value = strtod(number, &end);
        const char *unit = p;
        while (*p != '\0' && !isdigit((unsigned char)*p) && *p != '.')
            p++;
        long long scale = unit_nanoseconds(unit, (size_t)(p - unit));
        if (*end != '\0' || scale == 0)
            return false;
        total += value * (double)scale;
    }
    if (total > 9.2e18)
        return false;
    *nanoseconds = (long long)(sign * total);
    return true;
}

/* "Z", "+HH:MM" or "-HH:MM" at P: the offset east of UTC in seconds. */
static bool parse_zone(const char *p, long *offset)
{
    int hours, minutes, n = 0;
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
        return *offset = 0, true;
    if ((p[0] != '+' && p[0] != '-') || sscanf(p + 1, "%2d:%2d%n", &hours, &minutes, &n) != 2 ||
        n != 5 || p[6] != '\0')
        return false;
    *offset = (p[0] == '-' ? -1 : 1) * (hours * 3600L + minutes * 60L);
    return true;
}

/* The time of day after 'T': HH[:MM[:SS[.fraction]]]; P moves past it. */
static bool parse_clock(const char **p, struct tm *tm, long *nanoseconds)
{
    int n = 0;
    if (sscanf(*p, "%2d%n", &tm->tm_hour, &n) != 1 || n != 2)
        return false;
    *p += 2;
    int *fields[] = {&tm->tm_min, &tm->tm_sec};
    for (int i = 0; i < 2 && **p == ':'; i++) {
        if (sscanf(*p + 1, "%2d%n", fields[i], &n) != 1 || n != 2)
            return false;
        *p += 3;
    }
    if (**p == '.') {
        (*p)++;
        if (!isdigit((unsigned char)**p))
            return false;
        for (long scale = 100000000; isdigit((unsigned char)**p); (*p)++, scale /= 10)
            *nanoseconds += scale * (**p - '0');
    }
    return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec < 61;
}

bool log_date_parse(const char *text, struct timespec *time)
{
    struct tm tm = {0};
    int n = 0;
    long nanoseconds = 0, offset = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
        return false;
    const char *p = text + 10;
    if ((*p == 'T' || *p == 't') && (p++, !parse_clock(&p, &tm, &nanoseconds)))
        return false;
    bool local = *p == '\0';
    if (!local && !parse_zone(p, &offset))
        return false;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t seconds = local ? mktime(&tm) : timegm(&tm) - offset;
    time->tv_sec = seconds;
    time->tv_nsec = nanoseconds;
    return true;
}

/* SECONDS[.NANOSECONDS], as docker passes a Unix time through. */
static bool parse_unix(const char *text, struct timespec *time)
{
    char *end = NULL;
    if (!isdigit((unsigned char)text[0]))
        return false;
    long long seconds = strtoll(text, &end, 10);
    long nanoseconds = 0;
    if (*end == '.') {
        const char *digits = end + 1;
        size_t count = strspn(digits, "0123456789");
        if (count == 0 || count > 9 || digits[count] != '\0')
            return false;
        nanoseconds = strtol(digits, NULL, 10);
        for (size_t i = count; i < 9; i++)
            nanoseconds *= 10;
    } else if (*end != '\0') {
        return false;
    }
    time->tv_sec = (time_t)seconds;
    time->tv_nsec = nanoseconds;
    return true;
}

int log_time_option(const char *flag, const char *value, const struct timespec *now,
                    struct timespec *time, husk_error_t *err)
{
    long long nanoseconds;
    /* docker: "0" is the Unix time 0, any other duration counts back from
     * now, to the second. */
    if (strcmp(value, "0") != 0 && log_duration_parse(value, &nanoseconds)) {
        time->tv_sec = now->tv_sec - (time_t)(nanoseconds / 1000000000LL);
        time->tv_nsec = 0;
        return 0;
    }
    if (log_date_parse(value, time) || (strchr(value, '-') == NULL && parse_unix(value, time)))
        return 0;
    return husk_error_set(err, 0,
                          "invalid value for \"%s\": failed to parse value as time or duration: "
                          "\"%s\"",
                          flag, value);
}

int log_time_compare(const struct timespec *a, const struct timespec *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}
