/* Times, statuses and tables the way docker prints them. */
#include "humanize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define MINUTE (60.0)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)
#define WEEK   (7 * DAY)
#define MONTH  (30 * DAY)
#define YEAR   (365 * DAY)

/* Go's time.Duration saturates at about 292 years, and so does Sub. */
#define MAX_DURATION 9223372036.854775807

/* go-units rounds hours and longer units to the nearest, and truncates
 * seconds and minutes. */
static long long round_to(double seconds, double unit)
{
    return (long long)(seconds / unit + 0.5);
}

void humanize_size(double bytes, char *buffer, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    size_t unit = 0;
    while (bytes >= 1000 && unit + 1 < sizeof(units) / sizeof(units[0])) {
        bytes /= 1000;
        unit++;
    }
    snprintf(buffer, size, "%.3g%s", bytes, units[unit]);
}

void humanize_duration(double seconds, char *buffer, size_t size)
{
    if (size == 0)
        return;
    /* !(x >= 1) also catches NaN. */
    if (!(seconds >= 1)) {
        snprintf(buffer, size, "Less than a second");
        return;
    }
    if (seconds > MAX_DURATION)
        seconds = MAX_DURATION;
    long long whole = (long long)seconds, minutes = (long long)(seconds / MINUTE);
    long long hours = round_to(seconds, HOUR);
    if (whole == 1)
        snprintf(buffer, size, "1 second");
    else if (whole < 60)
        snprintf(buffer, size, "%lld seconds", whole);
    else if (minutes == 1)
        snprintf(buffer, size, "About a minute");
    else if (minutes < 60)
        snprintf(buffer, size, "%lld minutes", minutes);
    else if (hours == 1)
        snprintf(buffer, size, "About an hour");
    else if (hours < 48)
        snprintf(buffer, size, "%lld hours", hours);
    else if (seconds < 2 * WEEK)
        snprintf(buffer, size, "%lld days", round_to(seconds, DAY));
    else if (seconds < 2 * MONTH)
        snprintf(buffer, size, "%lld weeks", round_to(seconds, WEEK));
    else if (seconds < 2 * YEAR)
        snprintf(buffer, size, "%lld months", round_to(seconds, MONTH));
    else
        snprintf(buffer, size, "%lld years", round_to(seconds, YEAR));
}

/* Reads exactly COUNT digits. */
static bool read_digits(const char **p, int count, int *value)
{
    *value = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        *value = *value * 10 + (c - '0');
    }
    *p += count;
    return true;
}

static bool expect(const char **p, const char *accepted)
{
    if (**p == '\0' || strchr(accepted, **p) == NULL)
        return false;
    (*p)++;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static bool read_date_time(const char **p, struct tm *tm)
{
    int year, month, day, hour, minute, second;
    if (!read_digits(p, 4, &year) || !expect(p, "-") || !read_digits(p, 2, &month) ||
        !expect(p, "-") || !read_digits(p, 2, &day) || !expect(p, "Tt") ||
        !read_digits(p, 2, &hour) || !expect(p, ":") || !read_digits(p, 2, &minute) ||
        !expect(p, ":") || !read_digits(p, 2, &second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59)
        return false;
    *tm = (struct tm){.tm_year = year - 1900,
                      .tm_mon = month - 1,
                      .tm_mday = day,
                      .tm_hour = hour,
                      .tm_min = minute,
                      .tm_sec = second};
    return true;
}

/* ".123456789": any number of digits, at least one. */
static bool read_fraction(const char **p, double *fraction)
{
    *fraction = 0;
    if (**p != '.')
        return true;
    (*p)++;
    double scale = 0.1;
    const char *start = *p;
    for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
        *fraction += (**p - '0') * scale;
    return *p > start;
}

/* "Z" or "+hh:mm"/"-hh:mm", as seconds east of UTC. */
static bool read_offset(const char **p, long *offset)
{
    *offset = 0;
    if (expect(p, "Zz"))
        return true;
    char sign = **p;
    int hours, minutes;
    if (!expect(p, "+-") || !read_digits(p, 2, &hours) || !expect(p, ":") ||
        !read_digits(p, 2, &minutes) || hours > 23 || minutes > 59)
        return false;
    *offset = (sign == '-' ? -1L : 1L) * (hours * 3600L + minutes * 60L);
    return true;
}

double humanize_parse_timestamp(const char *text)
{
    /* Go's zero time.Time, which docker writes for "never". */
    static const time_t zero_time = -62135596800;
    if (text == NULL)
        return -1;
    const char *p = text;
    struct tm tm;
    double fraction;
    long offset;
    if (!read_date_time(&p, &tm) || !read_fraction(&p, &fraction) || !read_offset(&p, &offset) ||
        *p != '\0')
        return -1;
    time_t seconds = timegm(&tm);
    if (seconds == (time_t)-1 && tm.tm_year != 69)
        return -1;
    seconds -= offset;
    if (seconds == zero_time && fraction == 0)
        return -1;
    return (double)seconds + fraction;
}

/* BEFORE, then the time since THEN and AFTER; an unknown time (< 0) leaves
 * both out: "Up", "Exited (0)". */
static void status_with_time(char *buffer, size_t size, const char *before, double then, double now,
                             const char *after)
{
    char duration[64];
    if (then < 0) {
        snprintf(buffer, size, "%s", before);
        return;
    }
    humanize_duration(now - then, duration, sizeof(duration));
    snprintf(buffer, size, "%s %s%s", before, duration, after);
}

void humanize_status(const char *status, int exit_code, double started_at, double finished_at,
                     double now, char *buffer, size_t size)
{
    char prefix[48];
    if (size == 0)
        return;
    if (status == NULL)
        status = "";
    if (strcmp(status, "created") == 0) {
        snprintf(buffer, size, "Created");
    } else if (strcmp(status, "running") == 0) {
        status_with_time(buffer, size, "Up", started_at, now, "");
    } else if (strcmp(status, "paused") == 0) {
        status_with_time(buffer, size, "Up", started_at, now, " (Paused)");
    } else if (strcmp(status, "exited") == 0 || strcmp(status, "stopped") == 0) {
        snprintf(prefix, sizeof(prefix), "Exited (%d)", exit_code);
        status_with_time(buffer, size, prefix, finished_at, now, " ago");
    } else if (strcmp(status, "restarting") == 0) {
        snprintf(prefix, sizeof(prefix), "Restarting (%d)", exit_code);
        status_with_time(buffer, size, prefix, finished_at, now, " ago");
    } else if (strcmp(status, "removing") == 0) {
        snprintf(buffer, size, "Removal In Progress");
    } else if (strcmp(status, "dead") == 0) {
        snprintf(buffer, size, "Dead");
    } else {
        snprintf(buffer, size, "%s", status);
    }
}

void humanize_ago(double then, double now, char *buffer, size_t size)
{
    if (size == 0)
        return;
    if (then < 0) {
        buffer[0] = '\0';
        return;
    }
    char duration[64];
    humanize_duration(now - then, duration, sizeof(duration));
    snprintf(buffer, size, "%s ago", duration);
}

/* ---- tables ------------------------------------------------------------- */

/* docker's tabwriter: minimum cell width 10, padding 3, spaces. */
#define TABLE_MIN_WIDTH 10
#define TABLE_PADDING   3

struct table {
    size_t columns, rows;
    char **cells; /* rows * columns, row-major */
};

struct table *table_new(size_t columns)
{
    struct table *table = xcalloc(1, sizeof(*table));
    table->columns = columns;
    return table;
}

void table_add_row(struct table *table, const char *const *cells)
{
    if (table == NULL || table->columns == 0)
        return;
    table->cells =
        xreallocarray(table->cells, (table->rows + 1) * table->columns, sizeof(*table->cells));
    for (size_t c = 0; c < table->columns; c++)
        table->cells[table->rows * table->columns + c] =
            xstrdup(cells != NULL && cells[c] != NULL ? cells[c] : "");
    table->rows++;
}

/* Width on a terminal, roughly: one per code point (continuation bytes skipped). */
static size_t text_width(const char *s)
{
    size_t width = 0;
    for (; *s != '\0'; s++)
        width += ((unsigned char)*s & 0xc0) != 0x80;
    return width;
}

static size_t column_width(const struct table *table, size_t column)
{
    size_t widest = 0;
    for (size_t r = 0; r < table->rows; r++) {
        size_t width = text_width(table->cells[r * table->columns + column]);
        widest = width > widest ? width : widest;
    }
    widest += TABLE_PADDING;
    return widest < TABLE_MIN_WIDTH ? TABLE_MIN_WIDTH : widest;
}

/* Builds each line whole so trailing padding (an empty last cell) can be cut. */
static void print_row(const struct table *table, size_t row, const size_t *widths, FILE *out)
{
    char *line = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&line, &length);
    if (stream == NULL)
        xalloc_die();
    for (size_t c = 0; c < table->columns; c++) {
        const char *cell = table->cells[row * table->columns + c];
        fputs(cell, stream);
        if (c + 1 < table->columns)
            fprintf(stream, "%*s", (int)(widths[c] - text_width(cell)), "");
    }
    fclose(stream);
    while (length > 0 && line[length - 1] == ' ')
        length--;
    fwrite(line, 1, length, out);
    fputc('\n', out);
    free(line);
}

void table_print(const struct table *table, FILE *out)
{
    if (table == NULL || table->columns == 0)
        return;
    size_t *widths = xcalloc(table->columns, sizeof(*widths));
    for (size_t c = 0; c + 1 < table->columns; c++)
        widths[c] = column_width(table, c);
    for (size_t r = 0; r < table->rows; r++)
        print_row(table, r, widths, out);
    free(widths);
}

void table_free(struct table *table)
{
    if (table == NULL)
        return;
    for (size_t i = 0; i < table->rows * table->columns; i++)
        free(table->cells[i]);
    free(table->cells);
    free(table);
}
