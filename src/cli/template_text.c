/* Growing strings, UTF-8, and values written as Go writes them: fmt verbs
 * for print/printf, and encoding/json for the json function. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "template_internal.h"

void buf_release(struct strbuf *b)
{
    free(b->data);
}

void buf_append(struct strbuf *b, const char *s, size_t n)
{
    if (b->length + n + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 64;
        while (capacity < b->length + n + 1)
            capacity *= 2;
        b->data = xrealloc(b->data, capacity);
        b->capacity = capacity;
    }
    if (n > 0)
        memcpy(b->data + b->length, s, n);
    b->length += n;
    b->data[b->length] = '\0';
}

static void buf_puts(struct strbuf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct strbuf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_repeat(struct strbuf *b, char c, size_t count)
{
    for (size_t i = 0; i < count; i++)
        buf_putc(b, c);
}

__attribute__((format(printf, 2, 3))) void buf_printf(struct strbuf *b, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    /* vasprintf's length, not strlen: "%c" of a template's NUL byte is output too. */
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        xalloc_die();
    buf_append(b, text, (size_t)n);
    free(text);
}

/* Hands the text over; an untouched buffer yields "". */
char *buf_steal(struct strbuf *b)
{
    if (b->data == NULL)
        buf_append(b, "", 0);
    char *data = b->data;
    *b = (struct strbuf){0};
    return data;
}

/* Template strings may hold any bytes (a "\x00" escape), so skip validation. */
json_t *buf_to_json(struct strbuf *b)
{
    json_t *value = json_stringn_nocheck(b->data ? b->data : "", b->length);
    if (value == NULL)
        abort();
    return value;
}

json_t *must(json_t *value)
{
    if (value == NULL)
        abort();
    return value;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Returns the length of the sequence at S, or 0 when it is not valid UTF-8. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *rune)
{
    size_t length;
    uint32_t r, min;
    if (s[0] < 0x80) {
        *rune = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        length = 2, r = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        length = 3, r = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        length = 4, r = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (length > n)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        r = (r << 6) | (s[i] & 0x3f);
    }
    if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
        return 0;
    *rune = r;
    return length;
}

void template_utf8_encode(struct strbuf *b, uint32_t r)
{
    char out[4];
    if (r < 0x80) {
        buf_putc(b, (char)r);
    } else if (r < 0x800) {
        out[0] = (char)(0xc0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3f));
        buf_append(b, out, 2);
    } else if (r < 0x10000) {
        out[0] = (char)(0xe0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        out[2] = (char)(0x80 | (r & 0x3f));
        buf_append(b, out, 3);
    } else {
        out[0] = (char)(0xf0 | (r >> 18));
        out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
        out[3] = (char)(0x80 | (r & 0x3f));
        buf_append(b, out, 4);
    }
}

/* Width in runes, as Go's fmt counts padding; an invalid byte counts as one. */
static size_t utf8_width(const char *s, size_t n)
{
    size_t width = 0;
    for (size_t i = 0; i < n; width++) {
        uint32_t rune;
        size_t length = utf8_decode((const unsigned char *)s + i, n - i, &rune);
        i += length ? length : 1;
    }
    return width;
}

/* ---- Go's spelling of values ------------------------------------------- */

/* The fewest digits that read back as V, which is what Go's strconv prints. */
static int shortest_e(double v, char *out, size_t size)
{
    for (int precision = 0; precision < 17; precision++) {
        snprintf(out, size, "%.*e", precision, v);
        if (strtod(out, NULL) == v)
            return precision;
    }
    snprintf(out, size, "%.16e", v);
    return 16;
}

/* fmt's %v (%g with shortest digits, exponent from 1e+06 on) or, with JSON,
 * encoding/json's choice (plain digits unless below 1e-6 or from 1e21 on). */
static void format_float(struct strbuf *b, double v, bool json)
{
    if (v != v || v - v != 0) {
        buf_puts(b, v != v ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[48];
    int precision = shortest_e(v, e, sizeof(e));
    int exponent = atoi(strchr(e, 'e') + 1);
    double magnitude = v < 0 ? -v : v;
    bool use_e = json ? magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)
                      : exponent < -4 || exponent >= 6;
    if (!use_e) {
        int decimals = precision - exponent;
        buf_printf(b, "%.*f", decimals > 0 ? decimals : 0, v);
        return;
    }
    size_t length = strlen(e);
    /* encoding/json writes 1e-7 where %e gives 1e-07. */
    if (json && length >= 4 && e[length - 3] == '-' && e[length - 2] == '0') {
        e[length - 2] = e[length - 1];
        e[length - 1] = '\0';
    }
    buf_puts(b, e);
}

/* The Go type a decoded JSON value would have, for error messages. */
const char *go_type(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "int";
    case JSON_REAL:
        return "float64";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_ARRAY:
        return "[]interface {}";
    case JSON_OBJECT:
        return "map[string]interface {}";
    default:
        return "<nil>";
    }
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go prints and encodes maps in key order. */
const char **sorted_keys(json_t *object, size_t *count)
{
    *count = json_object_size(object);
    const char **keys = xcalloc(*count, sizeof(*keys));
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) keys[i++] = key;
    qsort(keys, *count, sizeof(*keys), compare_keys);
    return keys;
}

/* A printf directive: %-10.3s is {'s', minus, width 10, precision 3}. */
struct verb {
    char verb;
    bool minus, plus, zero, sharp, space;
    int width, precision;
};

static const struct verb plain_v = {.verb = 'v', .precision = -1};

static void format_verb(struct strbuf *b, const struct verb *spec, json_t *v);

/* fmt applies the verb to each element: [a b] and map[k:v]. */
static void format_container(struct strbuf *b, const struct verb *spec, json_t *v)
{
    if (json_is_array(v)) {
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                buf_putc(b, ' ');
            format_verb(b, spec, json_array_get(v, i));
        }
        buf_putc(b, ']');
        return;
    }
    size_t count;
    cleanup_free const char **keys = sorted_keys(v, &count);
    buf_puts(b, "map[");
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buf_putc(b, ' ');
        cleanup_json json_t *key = must(json_string_nocheck(keys[i]));
        format_verb(b, spec, key);
        buf_putc(b, ':');
        format_verb(b, spec, json_object_get(v, keys[i]));
    }
    buf_putc(b, ']');
}

void format_plain(struct strbuf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        buf_append(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        format_float(b, json_real_value(v), false);
        break;
    case JSON_TRUE:
        buf_puts(b, "true");
        break;
    case JSON_FALSE:
        buf_puts(b, "false");
        break;
    case JSON_NULL:
        buf_puts(b, "<nil>");
        break;
    default:
        format_container(b, &plain_v, v);
        break;
    }
}

/* Go's %v of an action's value: a nil prints "<no value>" there only. */
void print_value(struct strbuf *b, json_t *v, bool top)
{
    if (top && json_is_null(v))
        buf_puts(b, "<no value>");
    else
        format_plain(b, v);
}

/* strconv.Quote: printable runes stay, the rest become escapes. */
static void go_quote(struct strbuf *b, const char *s, size_t n)
{
    static const char escapes[] = "\aa\bb\ff\nn\rr\tt\vv\"\"\\\\";
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint32_t rune;
        size_t length = utf8_decode((const unsigned char *)s + i, n - i, &rune);
        const char *escape = length == 1 && rune != 0 ? strchr(escapes, (int)rune) : NULL;
        if (length == 0)
            buf_printf(b, "\\x%02x", (unsigned char)s[i]);
        else if (escape != NULL && (escape - escapes) % 2 == 0)
            buf_putc(b, '\\'), buf_putc(b, escape[1]);
        else if (rune < 0x20 || rune == 0x7f)
            buf_printf(b, "\\x%02x", rune);
        else if (rune >= 0x80 && rune < 0xa0)
            buf_printf(b, "\\u%04x", rune);
        else
            buf_append(b, s + i, length);
        i += length ? length : 1;
    }
    buf_putc(b, '"');
}

/* fmt's complaint about a verb that does not fit the value: %!d(string=x). */
static void bad_verb(struct strbuf *b, char verb, json_t *v)
{
    if (json_is_null(v)) {
        buf_printf(b, "%%!%c(<nil>)", verb);
        return;
    }
    buf_printf(b, "%%!%c(%s=", verb, go_type(v));
    format_plain(b, v);
    buf_putc(b, ')');
}

static void format_number(struct strbuf *b, const struct verb *spec, json_t *v)
{
    char verb = spec->verb;
    const char *sharp = spec->sharp ? "#" : "";
    if (json_is_integer(v) && verb != '\0' && strchr("dxXo", verb) != NULL) {
        long long i = json_integer_value(v);
        unsigned long long magnitude = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
        /* Go prints negative hex as -ff, not two's complement. */
        char format[16];
        snprintf(format, sizeof(format), "%%s%%%sll%c", sharp, verb == 'd' ? 'u' : verb);
        buf_printf(b, format, i < 0 ? "-" : spec->plus ? "+" : spec->space ? " " : "", magnitude);
    } else if (json_is_real(v) && verb != '\0' && strchr("eEfFgG", verb) != NULL) {
        if ((verb == 'g' || verb == 'G') && spec->precision < 0) {
            format_float(b, json_real_value(v), false);
            return;
        }
        char format[16];
        snprintf(format, sizeof(format), "%%%s%s.*%c",
                 spec->plus    ? "+"
                 : spec->space ? " "
                               : "",
                 sharp, verb);
        buf_printf(b, format, spec->precision >= 0 ? spec->precision : 6, json_real_value(v));
    } else {
        bad_verb(b, verb, v);
    }
}

static void format_scalar(struct strbuf *b, const struct verb *spec, json_t *v)
{
    switch (spec->verb) {
    case 'v':
        format_plain(b, v);
        return;
    case 't':
        if (json_is_boolean(v))
            format_plain(b, v);
        else
            bad_verb(b, 't', v);
        return;
    case 's':
    case 'q':
        if (!json_is_string(v))
            bad_verb(b, spec->verb, v);
        else if (spec->verb == 'q')
            go_quote(b, json_string_value(v), json_string_length(v));
        else
            format_plain(b, v);
        return;
    case 'x':
    case 'X':
        if (json_is_string(v)) {
            for (size_t i = 0; i < json_string_length(v); i++)
                buf_printf(b, spec->verb == 'x' ? "%02x" : "%02X",
                           (unsigned char)json_string_value(v)[i]);
            return;
        }
        format_number(b, spec, v);
        return;
    default:
        format_number(b, spec, v);
        return;
    }
}

/* Precision cuts strings to runes; width pads with spaces, or zeros for numbers. */
static void pad(struct strbuf *b, const struct verb *spec, json_t *v, const char *text, size_t n)
{
    if (spec->precision >= 0 && json_is_string(v) && strchr("sv", spec->verb) != NULL) {
        size_t keep = 0;
        for (int runes = 0; keep < n && runes < spec->precision; runes++) {
            uint32_t rune;
            size_t length = utf8_decode((const unsigned char *)text + keep, n - keep, &rune);
            keep += length ? length : 1;
        }
        n = keep;
    }
    size_t width = utf8_width(text, n);
    size_t fill = spec->width > 0 && (size_t)spec->width > width ? (size_t)spec->width - width : 0;
    if (spec->minus) {
        buf_append(b, text, n);
        buf_repeat(b, ' ', fill);
    } else if (spec->zero && json_is_number(v)) {
        size_t sign = n > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        buf_append(b, text, sign);
        buf_repeat(b, '0', fill);
        buf_append(b, text + sign, n - sign);
    } else {
        buf_repeat(b, ' ', fill);
        buf_append(b, text, n);
    }
}

static void format_verb(struct strbuf *b, const struct verb *spec, json_t *v)
{
    if (json_is_array(v) || json_is_object(v)) {
        format_container(b, spec, v);
        return;
    }
    cleanup_buf struct strbuf text = {0};
    format_scalar(&text, spec, v);
    pad(b, spec, v, text.data ? text.data : "", text.length);
}

/* Reads the flags, width and precision after '%'; returns the verb's offset. */
static size_t parse_verb(const char *format, size_t i, size_t n, struct verb *spec)
{
    *spec = (struct verb){.precision = -1};
    for (; i < n && strchr("-+0# ", format[i]) != NULL && format[i] != '\0'; i++) {
        spec->minus |= format[i] == '-';
        spec->plus |= format[i] == '+';
        spec->zero |= format[i] == '0';
        spec->sharp |= format[i] == '#';
        spec->space |= format[i] == ' ';
    }
    for (; i < n && isdigit((unsigned char)format[i]) && spec->width < 10000; i++)
        spec->width = spec->width * 10 + (format[i] - '0');
    if (i < n && format[i] == '.') {
        spec->precision = 0;
        for (i++; i < n && isdigit((unsigned char)format[i]) && spec->precision < 10000; i++)
            spec->precision = spec->precision * 10 + (format[i] - '0');
    }
    return i;
}

/* fmt.Sprintf over decoded JSON values, with Go's %!verb(MISSING) and
 * %!(EXTRA ...) markers for argument count mismatches. */
void go_sprintf(struct strbuf *b, const char *format, size_t n, json_t **args, size_t count)
{
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (format[i] != '%') {
            buf_putc(b, format[i]);
            continue;
        }
        struct verb spec;
        i = parse_verb(format, i + 1, n, &spec);
        if (i >= n) {
            buf_puts(b, "%!(NOVERB)");
            break;
        }
        spec.verb = format[i];
        if (spec.verb == '%')
            buf_putc(b, '%');
        else if (used >= count)
            buf_printf(b, "%%!%c(MISSING)", spec.verb);
        else
            format_verb(b, &spec, args[used++]);
    }
    if (used < count) {
        buf_puts(b, "%!(EXTRA ");
        for (size_t i = used; i < count; i++) {
            buf_printf(b, "%s%s=", i > used ? ", " : "", go_type(args[i]));
            format_plain(b, args[i]);
        }
        buf_putc(b, ')');
    }
}

/* ---- JSON as docker's json function writes it ---------------------------- */

/* Go's encoder with SetEscapeHTML(false), as docker configures it: <, > and &
 * stay, U+2028/U+2029 and control characters are escaped, bad UTF-8 is U+FFFD. */
static void json_quote(struct strbuf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint32_t rune;
        size_t length = utf8_decode((const unsigned char *)s + i, n - i, &rune);
        if (length == 0) {
            buf_puts(b, "\\ufffd");
            i++;
            continue;
        }
        const char *short_escape = rune == '"'    ? "\\\""
                                   : rune == '\\' ? "\\\\"
                                   : rune == '\n' ? "\\n"
                                   : rune == '\r' ? "\\r"
                                   : rune == '\t' ? "\\t"
                                   : rune == '\b' ? "\\b"
                                   : rune == '\f' ? "\\f"
                                                  : NULL;
        if (short_escape != NULL)
            buf_puts(b, short_escape);
        else if (rune < 0x20 || rune == 0x2028 || rune == 0x2029)
            buf_printf(b, "\\u%04x", rune);
        else
            buf_append(b, s + i, length);
        i += length;
    }
    buf_putc(b, '"');
}

void json_encode(struct strbuf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        json_quote(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_REAL:
        format_float(b, json_real_value(v), true);
        return;
    case JSON_NULL:
        buf_puts(b, "null");
        return;
    case JSON_ARRAY:
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                buf_putc(b, ',');
            json_encode(b, json_array_get(v, i));
        }
        buf_putc(b, ']');
        return;
    case JSON_OBJECT:
        break;
    default:
        format_plain(b, v);
        return;
    }
    /* Insertion order: husk's documents stand for docker's structs, which
     * Go encodes in field order (its maps husk builds already sorted). */
    const char *key;
    json_t *value;
    bool first = true;
    buf_putc(b, '{');
    json_object_foreach(v, key, value)
    {
        if (!first)
            buf_putc(b, ',');
        first = false;
        json_quote(b, key, strlen(key));
        buf_putc(b, ':');
        json_encode(b, value);
    }
    buf_putc(b, '}');
}
