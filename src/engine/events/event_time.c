#include "event_time.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SECOND 1000000000LL

/* A Go duration's unit at P, in nanoseconds, and its length; 0 if none. */
static long long duration_unit(const char *p, size_t *length)
{
    static const struct {
        const char *name;
        long long ns;
    } units[] = {{"ns", 1},
                 {"us", 1000},
                 {"\u00b5s", 1000},
                 {"\u03bcs", 1000},
                 {"ms", 1000000},
                 {"s", NS_PER_SECOND},
                 {"m", 60 * NS_PER_SECOND},
                 {"h", 3600 * NS_PER_SECOND}};
    /* Longest first matters only for "ms" against "m": it is listed before. */
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t n = strlen(units[i].name);
        if (strncmp(p, units[i].name, n) == 0) {
            *length = n;
            return units[i].ns;
        }
    }
    return 0;
}

/* Go's time.ParseDuration: [-+]?(NUMBER UNIT)+, NUMBER as 1.5 or .5 or 1. */
static bool duration_parse(const char *text, long double *ns)
{
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    long double total = 0;
    if (*p == '\0')
        return false;
    while (*p != '\0') {
        /* Go's number: digits, a point, digits; at least one digit. */
        const char *start = p;
        long double number = 0, scale = 1;
        for (; isdigit((unsigned char)*p); p++)
            number = number * 10 + (*p - '0');
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                number += (*p - '0') * (scale /= 10);
        if (p == start || (p == start + 1 && *start == '.'))
            return false;
        const char *end = p;
        size_t unit_length;
        long long unit = duration_unit(end, &unit_length);
        if (unit == 0)
            return false;
        total += number * (long double)unit;
        p = end + unit_length;
    }
    *ns = negative ? -total : total;
    return true;
}

/* N digits at *P into *VALUE. */
static bool digits(const char **p, int n, int *value)
{
    *value = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return false;
        *value = *value * 10 + (**p - '0');
    }
    return true;
}

/* ".123" after the seconds: up to nine digits, as nanoseconds. */
static bool fraction(const char **p, long long *ns)
{
    *ns = 0;
    if (**p != '.')
        return true;
    (*p)++;
    int count = 0;
    for (; isdigit((unsigned char)**p); (*p)++, count++)
        if (count < 9)
            *ns = *ns * 10 + (**p - '0');
    for (int i = count; i < 9; i++)
        *ns *= 10;
    return count > 0 && count <= 9;
}

/* "THH[:MM[:SS[.F]]]" at *P. */
static bool clock_parse(const char **p, struct tm *tm, long long *ns)
{
    (*p)++;
    if (!digits(p, 2, &tm->tm_hour))
        return false;
    if (**p != ':')
        return true;
    (*p)++;
    if (!digits(p, 2, &tm->tm_min))
        return false;
    if (**p != ':')
        return true;
    (*p)++;
    return digits(p, 2, &tm->tm_sec) && fraction(p, ns);
}

/* YYYY-MM-DD[THH[:MM[:SS[.F]]]][Z|±HH:MM]; no zone means local time. */
static bool date_parse(const char *text, long long *result)
{
    const char *p = text;
    struct tm tm = {.tm_isdst = -1};
    long long ns = 0;
    if (!digits(&p, 4, &tm.tm_year) || *p++ != '-' || !digits(&p, 2, &tm.tm_mon) || *p++ != '-' ||
        !digits(&p, 2, &tm.tm_mday))
        return false;
    if (*p == 'T' && !clock_parse(&p, &tm, &ns))
        return false;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t seconds;
    if (*p == '\0') {
        seconds = mktime(&tm);
    } else if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        seconds = timegm(&tm);
    } else {
        int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, hours, minutes;
        p++;
        if (sign == 0 || !digits(&p, 2, &hours) || *p++ != ':' || !digits(&p, 2, &minutes) ||
            *p != '\0')
            return false;
        seconds = timegm(&tm) - sign * (hours * 3600 + minutes * 60);
    }
    *result = (long long)seconds * NS_PER_SECOND + ns;
    return true;
}

/* SECONDS[.NANOSECONDS] */
static bool unix_parse(const char *text, long long *result)
{
    const char *p = text;
    long long seconds = 0, ns = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        if (seconds > (__LONG_LONG_MAX__ / NS_PER_SECOND) / 10)
            return false;
        seconds = seconds * 10 + (*p - '0');
    }
    if (!fraction(&p, &ns) || *p != '\0')
        return false;
    *result = seconds * NS_PER_SECOND + ns;
    return true;
}

int event_time_parse(const char *text, const struct timespec *now, long long *nanoseconds,
                     husk_error_t *err)
{
    long double ago;
    /* docker: "0" is the epoch, not a duration; a duration counts whole seconds. */
    if (strcmp(text, "0") != 0 && duration_parse(text, &ago)) {
        long double then = (long double)now->tv_sec * NS_PER_SECOND + now->tv_nsec - ago;
        long long seconds = (long long)(then / NS_PER_SECOND);
        if (then < 0 && (long double)seconds * NS_PER_SECOND != then)
            seconds--;
        *nanoseconds = seconds * NS_PER_SECOND;
        return 0;
    }
    if (date_parse(text, nanoseconds) || unix_parse(text, nanoseconds))
        return 0;
    return husk_error_set(err, 0, "failed to parse value as time or duration: \"%s\"", text);
}
