/* Go's time.Duration syntax, which docker's --health-* flags use. */
#include <stdio.h>
#include <string.h>

#include "health_config.h"

static const struct {
    const char *name;
    int64_t nanoseconds;
} units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\u00b5s", 1000}, /* U+00B5 MICRO SIGN, as Go accepts */
    {"\u03bcs", 1000}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 1000000},
    {"s", INT64_C(1000000000)},
    {"m", INT64_C(60000000000)},
    {"h", INT64_C(3600000000000)},
};

static int unit_of(const char *name, size_t length, int64_t *nanoseconds)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == length && memcmp(units[i].name, name, length) == 0) {
            *nanoseconds = units[i].nanoseconds;
            return 0;
        }
    return -1;
}

/* Digits at *P into *VALUE; how many were read. A whole number that
 * overflows saturates at INT64_MAX (refused by the caller); a fraction's
 * digits past what int64 holds change nothing and are dropped. */
static size_t read_digits(const char **p, bool fraction, int64_t *value, int64_t *scale)
{
    size_t count = 0;
    *value = 0;
    *scale = 1;
    for (; **p >= '0' && **p <= '9'; (*p)++, count++) {
        if (*value > (INT64_MAX - 9) / 10 || *scale > INT64_MAX / 10) {
            if (!fraction)
                *value = INT64_MAX;
            continue;
        }
        *value = *value * 10 + (**p - '0');
        *scale *= 10;
    }
    return count;
}

/* One "<number><unit>" of a duration at *P, added to *TOTAL. */
static int parse_segment(const char **p, int64_t *total)
{
    int64_t whole, fraction = 0, fraction_scale = 1, ignored;
    size_t digits = read_digits(p, false, &whole, &ignored);
    if (**p == '.') {
        (*p)++;
        digits += read_digits(p, true, &fraction, &fraction_scale);
    }
    if (digits == 0)
        return -1;
    const char *unit = *p;
    while (**p != '\0' && **p != '.' && (**p < '0' || **p > '9'))
        (*p)++;
    int64_t scale;
    if (*p == unit)
        return -2;
    if (unit_of(unit, (size_t)(*p - unit), &scale) < 0)
        return -3;
    if (whole == INT64_MAX || whole > INT64_MAX / scale)
        return -1;
    int64_t value = whole * scale;
    value += (int64_t)((double)fraction * ((double)scale / (double)fraction_scale));
    if (value < 0 || *total > INT64_MAX - value)
        return -1;
    *total += value;
    return 0;
}

int health_duration_parse(const char *text, int64_t *nanoseconds)
{
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (strcmp(p, "0") == 0) {
        *nanoseconds = 0;
        return 0;
    }
    if (*p == '\0')
        return -1;
    int64_t total = 0;
    while (*p != '\0') {
        int rc = parse_segment(&p, &total);
        if (rc < 0)
            return rc;
    }
    *nanoseconds = negative ? -total : total;
    return 0;
}

/* VALUE / 10^DIGITS with its fraction, trailing zeros dropped: "1.5". */
static int format_fraction(char *buffer, size_t size, uint64_t value, int digits)
{
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    uint64_t fraction = value % scale;
    if (fraction == 0)
        return snprintf(buffer, size, "%llu", (unsigned long long)(value / scale));
    char tail[24];
    snprintf(tail, sizeof(tail), "%0*llu", digits, (unsigned long long)fraction);
    for (size_t n = strlen(tail); n > 0 && tail[n - 1] == '0'; n--)
        tail[n - 1] = '\0';
    return snprintf(buffer, size, "%llu.%s", (unsigned long long)(value / scale), tail);
}

void health_duration_format(int64_t nanoseconds, char *buffer, size_t size)
{
    const char *sign = nanoseconds < 0 ? "-" : "";
    uint64_t v = nanoseconds < 0 ? (uint64_t)0 - (uint64_t)nanoseconds : (uint64_t)nanoseconds;
    char number[48];
    if (v == 0) {
        snprintf(buffer, size, "0s");
    } else if (v < 1000) {
        snprintf(buffer, size, "%s%lluns", sign, (unsigned long long)v);
    } else if (v < 1000000) {
        format_fraction(number, sizeof(number), v, 3);
        snprintf(buffer, size, "%s%s\u00b5s", sign, number);
    } else if (v < UINT64_C(1000000000)) {
        format_fraction(number, sizeof(number), v, 6);
        snprintf(buffer, size, "%s%sms", sign, number);
    } else {
        uint64_t seconds_ns = v % UINT64_C(60000000000);
        uint64_t minutes = v / UINT64_C(60000000000);
        format_fraction(number, sizeof(number), seconds_ns, 9);
        if (minutes == 0)
            snprintf(buffer, size, "%s%ss", sign, number);
        else if (minutes < 60)
            snprintf(buffer, size, "%s%llum%ss", sign, (unsigned long long)minutes, number);
        else
            snprintf(buffer, size, "%s%lluh%llum%ss", sign, (unsigned long long)(minutes / 60),
                     (unsigned long long)(minutes % 60), number);
    }
}
