/* The subset of Go's text/template that docker's --format uses: a lexer that
 * turns the text into tokens, a recursive-descent parser that builds a tree of
 * nodes, and an evaluator that walks the tree over jansson values.
 *
 * Values are always owned references (json_t *): every evaluation step returns
 * a new reference and the caller drops it, so errors can unwind anywhere. Out of
 * memory aborts, as everywhere in husk (see util/error.c). */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"

/* Deeper nesting than any real format, and shallow enough for the stack. */
#define MAX_DEPTH 100

/* ---- growing strings ---------------------------------------------------- */

struct strbuf {
    char *data;
    size_t length, capacity;
};

static void buf_release(struct strbuf *b)
{
    free(b->data);
}
#define cleanup_buf __attribute__((cleanup(buf_release)))

static void buf_append(struct strbuf *b, const char *s, size_t n)
{
    if (b->length + n + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 64;
        while (capacity < b->length + n + 1)
            capacity *= 2;
        char *data = realloc(b->data, capacity);
        if (data == NULL)
            abort();
        b->data = data;
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

static void buf_putc(struct strbuf *b, char c)
{
    buf_append(b, &c, 1);
}

static void buf_repeat(struct strbuf *b, char c, size_t count)
{
    for (size_t i = 0; i < count; i++)
        buf_putc(b, c);
}

__attribute__((format(printf, 2, 3))) static void buf_printf(struct strbuf *b, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    buf_append(b, text, (size_t)n);
    free(text);
}

/* Hands the text over; an untouched buffer yields "". */
static char *buf_steal(struct strbuf *b)
{
    if (b->data == NULL)
        buf_append(b, "", 0);
    char *data = b->data;
    *b = (struct strbuf){0};
    return data;
}

/* Template strings may hold any bytes (a "\x00" escape), so skip validation. */
static json_t *buf_to_json(struct strbuf *b)
{
    json_t *value = json_stringn_nocheck(b->data ? b->data : "", b->length);
    if (value == NULL)
        abort();
    return value;
}

static json_t *must(json_t *value)
{
    if (value == NULL)
        abort();
    return value;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Returns the length of the sequence at S, or 0 when it is not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *rune)
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

static void utf8_encode(struct strbuf *b, uint32_t r)
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
static const char *go_type(json_t *v)
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
static const char **sorted_keys(json_t *object, size_t *count)
{
    *count = json_object_size(object);
    const char **keys = calloc(*count ? *count : 1, sizeof(*keys));
    if (keys == NULL)
        abort();
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
        json_t *key = must(json_string_nocheck(keys[i]));
        format_verb(b, spec, key);
        json_decref(key);
        buf_putc(b, ':');
        format_verb(b, spec, json_object_get(v, keys[i]));
    }
    buf_putc(b, ']');
}

static void format_plain(struct strbuf *b, json_t *v)
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
static void print_value(struct strbuf *b, json_t *v, bool top)
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
static void go_sprintf(struct strbuf *b, const char *format, size_t n, json_t **args, size_t count)
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

static void json_encode(struct strbuf *b, json_t *v)
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
    json_object_foreach(v, key, value) {
        if (!first)
            buf_putc(b, ',');
        first = false;
        json_quote(b, key, strlen(key));
        buf_putc(b, ':');
        json_encode(b, value);
    }
    buf_putc(b, '}');
}

/* ---- errors ------------------------------------------------------------- */

/* Line (from 1) and byte column (from 0) of OFFSET, as Go reports them. */
static void locate(const char *text, size_t offset, size_t *line, size_t *column)
{
    *line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && text[i] != '\0'; i++) {
        if (text[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    }
    *column = offset - line_start;
}

/* Parse errors: "template: 1:9: unclosed action", the column counted from 1. */
__attribute__((format(printf, 4, 5))) static int
parse_error(const char *text, size_t offset, husk_error_t *err, const char *fmt, ...)
{
    cleanup_free char *message = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&message, fmt, ap) < 0)
        message = NULL;
    va_end(ap);
    size_t line, column;
    locate(text, offset, &line, &column);
    return husk_error_set(err, 0, "template: %zu:%zu: %s", line, column + 1,
                          message ? message : "parse error");
}

/* ---- lexer -------------------------------------------------------------- */

enum token_kind {
    TOKEN_EOF,
    TOKEN_TEXT,
    TOKEN_LEFT,
    TOKEN_RIGHT,
    TOKEN_DOT,
    TOKEN_FIELD,
    TOKEN_VARIABLE,
    TOKEN_IDENTIFIER,
    TOKEN_STRING,
    TOKEN_RAW_STRING,
    TOKEN_NUMBER,
    TOKEN_LPAREN,
    TOKEN_RPAREN,
    TOKEN_PIPE,
    TOKEN_DECLARE,
    TOKEN_ASSIGN,
    TOKEN_COMMA,
};

struct token {
    enum token_kind kind;
    size_t start, end;
};

struct lexer {
    const char *text;
    size_t length, pos;
    struct token *tokens;
    size_t count, capacity;
    bool trim_next; /* the last action ended with " -}}" */
    husk_error_t *err;
};

static void push_token(struct lexer *l, enum token_kind kind, size_t start, size_t end)
{
    if (l->count == l->capacity) {
        size_t capacity = l->capacity ? l->capacity * 2 : 32;
        struct token *tokens = realloc(l->tokens, capacity * sizeof(*tokens));
        if (tokens == NULL)
            abort();
        l->tokens = tokens;
        l->capacity = capacity;
    }
    l->tokens[l->count++] = (struct token){kind, start, end};
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* "{{- " trims the text before it; the space is what tells it from {{-3}}. */
static bool left_trim_at(const struct lexer *l, size_t pos)
{
    return l->text[pos + 2] == '-' && is_space(l->text[pos + 3]);
}

/* "}}", or " -}}" which also trims the text after it. */
static bool right_delim_at(const struct lexer *l, size_t pos, bool *trim)
{
    const char *s = l->text + pos;
    *trim = is_space(s[0]) && s[1] == '-' && s[2] == '}' && s[3] == '}';
    return *trim || (s[0] == '}' && s[1] == '}');
}

static int lex_quoted(struct lexer *l)
{
    size_t start = l->pos++;
    char quote = l->text[start];
    for (;; l->pos++) {
        char c = l->text[l->pos];
        if (c == '\0' || (c == '\n' && quote == '"'))
            return parse_error(l->text, start, l->err, "unterminated %squoted string",
                               quote == '`' ? "raw " : "");
        if (c == '\\' && quote == '"' && l->text[l->pos + 1] != '\0')
            l->pos++;
        else if (c == quote)
            break;
    }
    l->pos++;
    push_token(l, quote == '"' ? TOKEN_STRING : TOKEN_RAW_STRING, start, l->pos);
    return 0;
}

/* Numbers are scanned greedily and checked by the parser: "3x" is one bad token. */
static void lex_number(struct lexer *l)
{
    size_t start = l->pos;
    const char *t = l->text;
    if (t[l->pos] == '-' || t[l->pos] == '+')
        l->pos++;
    while (is_word_char(t[l->pos]) || t[l->pos] == '.' ||
           ((t[l->pos] == '-' || t[l->pos] == '+') && strchr("eEpP", t[l->pos - 1]) != NULL &&
            !(t[start] == '0' && (t[start + 1] == 'x' || t[start + 1] == 'X') &&
              strchr("eE", t[l->pos - 1]) != NULL)))
        l->pos++;
    push_token(l, TOKEN_NUMBER, start, l->pos);
}

static void lex_word(struct lexer *l, enum token_kind kind)
{
    size_t start = l->pos++;
    while (is_word_char(l->text[l->pos]))
        l->pos++;
    push_token(l, kind, start, l->pos);
}

static int lex_symbol(struct lexer *l)
{
    static const char singles[] = "|(),=";
    static const enum token_kind kinds[] = {TOKEN_PIPE, TOKEN_LPAREN, TOKEN_RPAREN, TOKEN_COMMA,
                                            TOKEN_ASSIGN};
    char c = l->text[l->pos];
    const char *single = strchr(singles, c);
    if (c != '\0' && single != NULL) {
        push_token(l, kinds[single - singles], l->pos, l->pos + 1);
        l->pos++;
        return 0;
    }
    if (c == ':' && l->text[l->pos + 1] == '=') {
        push_token(l, TOKEN_DECLARE, l->pos, l->pos + 2);
        l->pos += 2;
        return 0;
    }
    if (c == ':')
        return parse_error(l->text, l->pos, l->err, "expected :=");
    uint32_t rune = (unsigned char)c;
    utf8_decode((const unsigned char *)l->text + l->pos, l->length - l->pos, &rune);
    if (rune >= 0x20 && rune < 0x7f)
        return parse_error(l->text, l->pos, l->err, "unrecognized character in action: U+%04X '%c'",
                           rune, (char)rune);
    return parse_error(l->text, l->pos, l->err, "unrecognized character in action: U+%04X", rune);
}

static int lex_token(struct lexer *l)
{
    const char *t = l->text + l->pos;
    if (t[0] == '"' || t[0] == '`')
        return lex_quoted(l);
    if (t[0] == '$') {
        lex_word(l, TOKEN_VARIABLE);
        return 0;
    }
    if (t[0] == '.' && isdigit((unsigned char)t[1])) {
        lex_number(l);
        return 0;
    }
    if (t[0] == '.' && is_word_char(t[1])) {
        lex_word(l, TOKEN_FIELD);
        return 0;
    }
    if (t[0] == '.') {
        push_token(l, TOKEN_DOT, l->pos, l->pos + 1);
        l->pos++;
        return 0;
    }
    if (isdigit((unsigned char)t[0]) ||
        ((t[0] == '-' || t[0] == '+') && (isdigit((unsigned char)t[1]) || t[1] == '.'))) {
        lex_number(l);
        return 0;
    }
    if (isalpha((unsigned char)t[0]) || t[0] == '_' || (unsigned char)t[0] >= 0x80) {
        lex_word(l, TOKEN_IDENTIFIER);
        return 0;
    }
    return lex_symbol(l);
}

/* A comment must fill its action, with nothing between its end and "}}". */
static int lex_comment(struct lexer *l, size_t open)
{
    const char *end = strstr(l->text + l->pos + 2, "*/");
    if (end == NULL)
        return parse_error(l->text, open, l->err, "unclosed comment");
    l->pos = (size_t)(end - l->text) + 2;
    bool trim;
    if (!right_delim_at(l, l->pos, &trim))
        return parse_error(l->text, open, l->err, "comment ends before closing delimiter");
    l->pos += trim ? 4 : 2;
    l->trim_next = trim;
    return 0;
}

static int lex_action(struct lexer *l)
{
    size_t open = l->pos;
    l->pos += left_trim_at(l, open) ? 4 : 2;
    if (l->text[l->pos] == '/' && l->text[l->pos + 1] == '*')
        return lex_comment(l, open);
    push_token(l, TOKEN_LEFT, open, open + 2);
    for (;;) {
        bool trim;
        if (right_delim_at(l, l->pos, &trim)) {
            l->pos += trim ? 4 : 2;
            push_token(l, TOKEN_RIGHT, l->pos - 2, l->pos);
            l->trim_next = trim;
            return 0;
        }
        if (is_space(l->text[l->pos])) {
            l->pos++;
            continue;
        }
        if (l->text[l->pos] == '\0')
            return parse_error(l->text, open, l->err, "unclosed action");
        if (lex_token(l) < 0)
            return -1;
    }
}

static int lex(struct lexer *l)
{
    while (l->pos < l->length) {
        size_t start = l->pos;
        if (l->trim_next)
            while (start < l->length && is_space(l->text[start]))
                start++;
        l->trim_next = false;
        const char *open = strstr(l->text + start, "{{");
        size_t end = open != NULL ? (size_t)(open - l->text) : l->length;
        size_t text_end = end;
        if (open != NULL && left_trim_at(l, end))
            while (text_end > start && is_space(l->text[text_end - 1]))
                text_end--;
        if (text_end > start)
            push_token(l, TOKEN_TEXT, start, text_end);
        l->pos = end;
        if (open != NULL && lex_action(l) < 0)
            return -1;
    }
    push_token(l, TOKEN_EOF, l->length, l->length);
    return 0;
}

/* ---- syntax tree -------------------------------------------------------- */

struct call {
    json_t **args;
    size_t count;
    char *message; /* why the function failed */
};

enum logic { LOGIC_NONE, LOGIC_AND, LOGIC_OR };

struct function {
    const char *name;
    int min_args, max_args; /* max -1: any number */
    enum logic logic;       /* and/or see their arguments one at a time */
    int (*call)(struct call *call, json_t **out);
};

static const struct function *find_function(const char *name, size_t length);

enum operand_kind {
    OPERAND_DOT,      /* . */
    OPERAND_FIELD,    /* .A.B: fields of dot */
    OPERAND_VARIABLE, /* $x.A */
    OPERAND_CONSTANT, /* "s", 1, true, nil */
    OPERAND_FUNCTION, /* a function name given as an argument: called with none */
    OPERAND_PIPELINE, /* (pipeline).A */
};

struct pipeline;

struct operand {
    enum operand_kind kind;
    size_t start, end; /* the source text, for "at <...>" in errors */
    char *name;        /* of a variable */
    char **fields;
    size_t field_count;
    json_t *constant;
    const struct function *function;
    struct pipeline *pipeline;
};

struct command {
    struct operand *operands;
    size_t count;
    size_t start, end;
};

struct pipeline {
    char *declarations[2];
    size_t declaration_count;
    bool assign; /* $x = rather than $x := */
    struct command *commands;
    size_t count;
    size_t start, end;
};

enum node_kind {
    NODE_TEXT,
    NODE_ACTION,
    NODE_IF,
    NODE_RANGE,
    NODE_WITH,
    NODE_BREAK,
    NODE_CONTINUE
};

struct node;

struct list {
    struct node *nodes;
    size_t count;
};

struct node {
    enum node_kind kind;
    size_t start, end; /* text span, or the opening "{{" */
    struct pipeline *pipeline;
    struct list body, otherwise;
};

struct template
{
    char *text;
    struct list root;
};

static void pipeline_free(struct pipeline *pipeline);

static void operand_clear(struct operand *operand)
{
    free(operand->name);
    for (size_t i = 0; i < operand->field_count; i++)
        free(operand->fields[i]);
    free(operand->fields);
    json_decref(operand->constant);
    pipeline_free(operand->pipeline);
}

static void pipeline_free(struct pipeline *pipeline)
{
    if (pipeline == NULL)
        return;
    for (size_t i = 0; i < pipeline->count; i++) {
        for (size_t k = 0; k < pipeline->commands[i].count; k++)
            operand_clear(&pipeline->commands[i].operands[k]);
        free(pipeline->commands[i].operands);
    }
    free(pipeline->commands);
    free(pipeline->declarations[0]);
    free(pipeline->declarations[1]);
    free(pipeline);
}

static void list_clear(struct list *list);

static void node_clear(struct node *node)
{
    pipeline_free(node->pipeline);
    list_clear(&node->body);
    list_clear(&node->otherwise);
}

static void list_clear(struct list *list)
{
    for (size_t i = 0; i < list->count; i++)
        node_clear(&list->nodes[i]);
    free(list->nodes);
    *list = (struct list){0};
}

/* Appends by growing one at a time: templates are short. */
static void *append(void *array, size_t *count, size_t size)
{
    char *grown = realloc(array, (*count + 1) * size);
    if (grown == NULL)
        abort();
    memset(grown + *count * size, 0, size);
    (*count)++;
    return grown;
}

static char *copy_span(const char *text, size_t start, size_t end)
{
    char *copy = strndup(text + start, end - start);
    if (copy == NULL)
        abort();
    return copy;
}

/* ---- parser ------------------------------------------------------------- */

struct parser {
    const char *text;
    const struct token *tokens;
    size_t count, pos;
    const char **variables; /* in scope, innermost last; "$" first */
    size_t variable_count;
    unsigned depth, range_depth;
    size_t stop_at; /* where the {{end}} or {{else}} that ended a list began */
    husk_error_t *err;
};

enum terminator { STOP_EOF, STOP_END, STOP_ELSE };

static const struct token *peek_at(const struct parser *p, size_t ahead)
{
    size_t i = p->pos + ahead;
    return &p->tokens[i < p->count ? i : p->count - 1];
}

static const struct token *peek(const struct parser *p)
{
    return peek_at(p, 0);
}

static const struct token *next(struct parser *p)
{
    const struct token *t = peek(p);
    if (t->kind != TOKEN_EOF)
        p->pos++;
    return t;
}

static bool is_word(const struct parser *p, const struct token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == TOKEN_IDENTIFIER && t->end - t->start == n &&
           strncmp(p->text + t->start, word, n) == 0;
}

static bool is_keyword(const struct parser *p, const struct token *t)
{
    static const char *const keywords[] = {"if",    "else",     "end",    "range",    "with",
                                           "break", "continue", "define", "template", "block"};
    for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
        if (is_word(p, t, keywords[i]))
            return true;
    return false;
}

static int token_error(struct parser *p, const struct token *t, const char *where)
{
    if (t->kind == TOKEN_EOF)
        return parse_error(p->text, t->start, p->err, "unexpected EOF in %s", where);
    if (t->kind == TOKEN_RIGHT)
        return parse_error(p->text, t->start, p->err, "unexpected \"}}\" in %s", where);
    return parse_error(p->text, t->start, p->err, "unexpected \"%.*s\" in %s",
                       (int)(t->end - t->start), p->text + t->start, where);
}

static int expect_right(struct parser *p, const char *where)
{
    const struct token *t = next(p);
    return t->kind == TOKEN_RIGHT ? 0 : token_error(p, t, where);
}

static void declare_variable(struct parser *p, const char *name)
{
    const char **grown = realloc(p->variables, (p->variable_count + 1) * sizeof(*grown));
    if (grown == NULL)
        abort();
    p->variables = grown;
    p->variables[p->variable_count++] = name;
}

static bool variable_defined(const struct parser *p, const char *name, size_t length)
{
    for (size_t i = p->variable_count; i-- > 0;)
        if (strlen(p->variables[i]) == length && strncmp(p->variables[i], name, length) == 0)
            return true;
    return false;
}

static int parse_pipeline(struct parser *p, const char *context, enum token_kind closer,
                          struct pipeline **out);

/* Go's escapes: \n \t \" \\ \a \b \f \r \v \' \xHH \ooo \uHHHH \UHHHHHHHH. */
static int unescape(const char *s, size_t *i, size_t end, struct strbuf *b)
{
    static const char simple[] = "n\nt\tr\ra\ab\bf\fv\v\\\\\"\"''";
    char c = s[*i];
    const char *hit = strchr(simple, c);
    if (c != '\0' && hit != NULL && (hit - simple) % 2 == 0) {
        buf_putc(b, hit[1]);
        (*i)++;
        return 0;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
    int base = c == 'x' || c == 'u' || c == 'U' ? 16 : 8;
    size_t first = base == 16 ? *i + 1 : *i;
    if (digits == 0 || first + (size_t)digits > end)
        return -1;
    uint32_t value = 0;
    for (size_t k = first; k < first + (size_t)digits; k++) {
        char d = s[k];
        int v = isdigit((unsigned char)d)    ? d - '0'
                : isxdigit((unsigned char)d) ? (tolower(d) - 'a' + 10)
                                             : 99;
        if (v >= base)
            return -1;
        value = value * (uint32_t)base + (uint32_t)v;
    }
    *i = first + (size_t)digits;
    if (c == 'x' || base == 8) {
        if (value > 0xff)
            return -1;
        buf_putc(b, (char)value);
    } else {
        if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
            return -1;
        utf8_encode(b, value);
    }
    return 0;
}

static int parse_string(struct parser *p, const struct token *t, json_t **out)
{
    cleanup_buf struct strbuf b = {0};
    size_t end = t->end - 1;
    if (t->kind == TOKEN_RAW_STRING) {
        buf_append(&b, p->text + t->start + 1, end - t->start - 1);
    } else {
        for (size_t i = t->start + 1; i < end;) {
            if (p->text[i] != '\\') {
                buf_putc(&b, p->text[i++]);
                continue;
            }
            i++;
            if (unescape(p->text, &i, end, &b) < 0)
                return parse_error(p->text, t->start, p->err, "invalid syntax: %.*s",
                                   (int)(t->end - t->start), p->text + t->start);
        }
    }
    *out = buf_to_json(&b);
    return 0;
}

static int parse_number(struct parser *p, const struct token *t, json_t **out)
{
    char digits[64];
    size_t n = t->end - t->start;
    if (n < sizeof(digits)) {
        memcpy(digits, p->text + t->start, n);
        digits[n] = '\0';
        char *end;
        errno = 0;
        long long integer = strtoll(digits, &end, 0);
        if (*end == '\0' && errno == 0) {
            *out = must(json_integer(integer));
            return 0;
        }
        double real = strtod(digits, &end);
        if (*end == '\0' && end != digits && (*out = json_real(real)) != NULL)
            return 0;
    }
    return parse_error(p->text, t->start, p->err, "bad number syntax: %.*s", (int)n,
                       p->text + t->start);
}

/* Fields written right after a term, with no space: $x.A.B or (...).A. */
static void parse_fields(struct parser *p, struct operand *operand)
{
    while (peek(p)->kind == TOKEN_FIELD && peek(p)->start == operand->end) {
        const struct token *t = next(p);
        operand->fields = append(operand->fields, &operand->field_count, sizeof(char *));
        operand->fields[operand->field_count - 1] = copy_span(p->text, t->start + 1, t->end);
        operand->end = t->end;
    }
}

static int parse_identifier(struct parser *p, const struct token *t, struct operand *operand)
{
    size_t n = t->end - t->start;
    const char *name = p->text + t->start;
    operand->kind = OPERAND_CONSTANT;
    if (is_word(p, t, "true") || is_word(p, t, "false"))
        operand->constant = json_boolean(is_word(p, t, "true"));
    else if (is_word(p, t, "nil"))
        operand->constant = json_null();
    else if (is_keyword(p, t))
        return token_error(p, t, "operand");
    else if ((operand->function = find_function(name, n)) != NULL)
        operand->kind = OPERAND_FUNCTION;
    else
        return parse_error(p->text, t->start, p->err, "function \"%.*s\" not defined", (int)n,
                           name);
    return 0;
}

static int parse_parenthesised(struct parser *p, struct operand *operand)
{
    if (++p->depth > MAX_DEPTH)
        return parse_error(p->text, operand->start, p->err, "template nesting too deep");
    operand->kind = OPERAND_PIPELINE;
    int rc = parse_pipeline(p, "parenthesized pipeline", TOKEN_RPAREN, &operand->pipeline);
    p->depth--;
    if (rc < 0)
        return -1;
    operand->end = p->tokens[p->pos - 1].end;
    parse_fields(p, operand);
    return 0;
}

static int parse_operand(struct parser *p, struct operand *operand)
{
    const struct token *t = next(p);
    operand->start = t->start;
    operand->end = t->end;
    switch (t->kind) {
    case TOKEN_DOT:
        operand->kind = OPERAND_DOT;
        return 0;
    case TOKEN_FIELD:
        operand->kind = OPERAND_FIELD;
        operand->end = t->start;
        p->pos--;
        parse_fields(p, operand);
        return 0;
    case TOKEN_VARIABLE:
        if (!variable_defined(p, p->text + t->start, t->end - t->start))
            return parse_error(p->text, t->start, p->err, "undefined variable \"%.*s\"",
                               (int)(t->end - t->start), p->text + t->start);
        operand->kind = OPERAND_VARIABLE;
        operand->name = copy_span(p->text, t->start, t->end);
        parse_fields(p, operand);
        return 0;
    case TOKEN_STRING:
    case TOKEN_RAW_STRING:
        operand->kind = OPERAND_CONSTANT;
        return parse_string(p, t, &operand->constant);
    case TOKEN_NUMBER:
        operand->kind = OPERAND_CONSTANT;
        return parse_number(p, t, &operand->constant);
    case TOKEN_IDENTIFIER:
        return parse_identifier(p, t, operand);
    case TOKEN_LPAREN:
        return parse_parenthesised(p, operand);
    default:
        return token_error(p, t, "operand");
    }
}

static int parse_command(struct parser *p, const char *context, enum token_kind closer,
                         struct command *command)
{
    command->start = peek(p)->start;
    for (;;) {
        const struct token *t = peek(p);
        if (t->kind == closer || t->kind == TOKEN_PIPE)
            break;
        if (t->kind == TOKEN_RIGHT)
            return parse_error(p->text, t->start, p->err, "unclosed left paren");
        if (t->kind == TOKEN_RPAREN)
            return parse_error(p->text, t->start, p->err, "unexpected right paren");
        command->operands = append(command->operands, &command->count, sizeof(struct operand));
        if (parse_operand(p, &command->operands[command->count - 1]) < 0)
            return -1;
        command->end = command->operands[command->count - 1].end;
    }
    if (command->count == 0)
        return parse_error(p->text, peek(p)->start, p->err, "missing value for %s", context);
    const struct operand *first = &command->operands[0];
    if (first->kind == OPERAND_CONSTANT && json_is_null(first->constant))
        return parse_error(p->text, first->start, p->err, "nil is not a command");
    return 0;
}

/* $x := or $x = ; range alone may name two: $i, $e := . */
static int parse_declarations(struct parser *p, const char *context, struct pipeline *pipeline)
{
    size_t names = 0;
    if (peek_at(p, 0)->kind == TOKEN_VARIABLE) {
        enum token_kind second = peek_at(p, 1)->kind;
        if (second == TOKEN_DECLARE || second == TOKEN_ASSIGN)
            names = 1;
        else if (second == TOKEN_COMMA && peek_at(p, 2)->kind == TOKEN_VARIABLE &&
                 (peek_at(p, 3)->kind == TOKEN_DECLARE || peek_at(p, 3)->kind == TOKEN_ASSIGN))
            names = 2;
    }
    if (names == 2 && strcmp(context, "range") != 0)
        return parse_error(p->text, peek(p)->start, p->err, "too many declarations in %s", context);
    for (size_t i = 0; i < names; i++) {
        const struct token *t = next(p);
        pipeline->declarations[i] = copy_span(p->text, t->start, t->end);
        pipeline->assign = next(p)->kind == TOKEN_ASSIGN;
        if (pipeline->assign && !variable_defined(p, p->text + t->start, t->end - t->start))
            return parse_error(p->text, t->start, p->err, "undefined variable \"%.*s\"",
                               (int)(t->end - t->start), p->text + t->start);
    }
    pipeline->declaration_count = names;
    return 0;
}

static int parse_pipeline(struct parser *p, const char *context, enum token_kind closer,
                          struct pipeline **out)
{
    struct pipeline *pipeline = calloc(1, sizeof(*pipeline));
    if (pipeline == NULL)
        abort();
    *out = pipeline;
    pipeline->start = peek(p)->start;
    if (parse_declarations(p, context, pipeline) < 0)
        return -1;
    for (;;) {
        pipeline->commands = append(pipeline->commands, &pipeline->count, sizeof(struct command));
        if (parse_command(p, context, closer, &pipeline->commands[pipeline->count - 1]) < 0)
            return -1;
        pipeline->end = pipeline->commands[pipeline->count - 1].end;
        if (next(p)->kind == closer)
            break;
    }
    if (!pipeline->assign)
        for (size_t i = 0; i < pipeline->declaration_count; i++)
            declare_variable(p, pipeline->declarations[i]);
    return 0;
}

static int parse_list(struct parser *p, struct list *list, enum terminator *terminator);

static const char *node_name(enum node_kind kind)
{
    return kind == NODE_IF ? "if" : kind == NODE_RANGE ? "range" : "with";
}

static int parse_control(struct parser *p, enum node_kind kind, size_t start, struct node *node);

/* After {{else}}: "{{else if ...}}" chains a nested if that owns the {{end}}. */
static int parse_else(struct parser *p, struct node *node)
{
    const struct token *t = peek(p);
    if ((node->kind == NODE_IF && is_word(p, t, "if")) ||
        (node->kind == NODE_WITH && is_word(p, t, "with"))) {
        next(p);
        node->otherwise.nodes =
            append(node->otherwise.nodes, &node->otherwise.count, sizeof(struct node));
        return parse_control(p, node->kind, p->stop_at, &node->otherwise.nodes[0]);
    }
    if (expect_right(p, "else") < 0)
        return -1;
    enum terminator terminator;
    if (parse_list(p, &node->otherwise, &terminator) < 0)
        return -1;
    if (terminator == STOP_EOF)
        return parse_error(p->text, node->start, p->err,
                           "unexpected EOF: missing {{end}} for {{%s}}", node_name(node->kind));
    if (terminator == STOP_ELSE)
        return parse_error(p->text, p->stop_at, p->err, "expected {{end}}; found {{else}}");
    return 0;
}

static int parse_control(struct parser *p, enum node_kind kind, size_t start, struct node *node)
{
    node->kind = kind;
    node->start = start;
    if (++p->depth > MAX_DEPTH)
        return parse_error(p->text, start, p->err, "template nesting too deep");
    size_t mark = p->variable_count;
    int rc = parse_pipeline(p, node_name(kind), TOKEN_RIGHT, &node->pipeline);
    enum terminator terminator = STOP_EOF;
    p->range_depth += kind == NODE_RANGE;
    if (rc == 0)
        rc = parse_list(p, &node->body, &terminator);
    p->range_depth -= kind == NODE_RANGE;
    if (rc == 0 && terminator == STOP_EOF)
        rc = parse_error(p->text, start, p->err, "unexpected EOF: missing {{end}} for {{%s}}",
                         node_name(kind));
    if (rc == 0 && terminator == STOP_ELSE)
        rc = parse_else(p, node);
    p->variable_count = mark;
    p->depth--;
    return rc;
}

static int parse_loop_control(struct parser *p, const struct token *t, size_t start,
                              struct list *list)
{
    bool is_break = is_word(p, t, "break");
    if (p->range_depth == 0)
        return parse_error(p->text, start, p->err, "{{%s}} outside {{range}}",
                           is_break ? "break" : "continue");
    if (expect_right(p, is_break ? "break" : "continue") < 0)
        return -1;
    list->nodes = append(list->nodes, &list->count, sizeof(struct node));
    list->nodes[list->count - 1].kind = is_break ? NODE_BREAK : NODE_CONTINUE;
    list->nodes[list->count - 1].start = start;
    return 0;
}

/* One {{...}} after its "{{"; returns 1 when it was {{end}} or {{else}}. */
static int parse_action(struct parser *p, size_t start, struct list *list,
                        enum terminator *terminator)
{
    const struct token *t = peek(p);
    if (is_word(p, t, "end") || is_word(p, t, "else")) {
        next(p);
        p->stop_at = start;
        *terminator = is_word(p, t, "end") ? STOP_END : STOP_ELSE;
        return *terminator == STOP_END && expect_right(p, "end") < 0 ? -1 : 1;
    }
    if (is_word(p, t, "break") || is_word(p, t, "continue")) {
        next(p);
        return parse_loop_control(p, t, start, list);
    }
    if (is_word(p, t, "define") || is_word(p, t, "template") || is_word(p, t, "block"))
        return parse_error(p->text, start, p->err, "{{%.*s}} is not supported",
                           (int)(t->end - t->start), p->text + t->start);
    enum node_kind kind = is_word(p, t, "if")      ? NODE_IF
                          : is_word(p, t, "range") ? NODE_RANGE
                          : is_word(p, t, "with")  ? NODE_WITH
                                                   : NODE_ACTION;
    list->nodes = append(list->nodes, &list->count, sizeof(struct node));
    struct node *node = &list->nodes[list->count - 1];
    if (kind != NODE_ACTION) {
        next(p);
        return parse_control(p, kind, start, node);
    }
    node->kind = NODE_ACTION;
    node->start = start;
    return parse_pipeline(p, "command", TOKEN_RIGHT, &node->pipeline);
}

static int parse_list(struct parser *p, struct list *list, enum terminator *terminator)
{
    for (;;) {
        const struct token *t = next(p);
        if (t->kind == TOKEN_EOF) {
            *terminator = STOP_EOF;
            return 0;
        }
        if (t->kind == TOKEN_TEXT) {
            list->nodes = append(list->nodes, &list->count, sizeof(struct node));
            list->nodes[list->count - 1].kind = NODE_TEXT;
            list->nodes[list->count - 1].start = t->start;
            list->nodes[list->count - 1].end = t->end;
            continue;
        }
        int rc = parse_action(p, t->start, list, terminator);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
}

/* ---- functions ---------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int call_fail(struct call *c, const char *fmt, ...)
{
    free(c->message);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&c->message, fmt, ap) < 0)
        c->message = NULL;
    va_end(ap);
    return -1;
}

/* Go's truth: false, 0, "", nil and empty arrays and maps are false. */
static bool truth(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_TRUE:
        return true;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    default:
        return false;
    }
}

static int string_arg(struct call *c, json_t *v, const char **s, size_t *n)
{
    if (!json_is_string(v))
        return call_fail(c, "wrong type for value; expected string; got %s", go_type(v));
    *s = json_string_value(v);
    *n = json_string_length(v);
    return 0;
}

/* JSON decodes every number to float64, so whole reals count as integers. */
static int int_arg(struct call *c, json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    double real = json_real_value(v);
    if (json_is_real(v) && real > -9e18 && real < 9e18 && real == (double)(long long)real) {
        *out = (long long)real;
        return 0;
    }
    return call_fail(c, "wrong type for value; expected int; got %s", go_type(v));
}

static int fn_not(struct call *c, json_t **out)
{
    *out = json_boolean(!truth(c->args[0]));
    return 0;
}

static int fn_len(struct call *c, json_t **out)
{
    json_t *v = c->args[0];
    size_t length;
    if (json_is_string(v))
        length = json_string_length(v);
    else if (json_is_array(v))
        length = json_array_size(v);
    else if (json_is_object(v))
        length = json_object_size(v);
    else
        return call_fail(c, "len of type %s", go_type(v));
    *out = must(json_integer((json_int_t)length));
    return 0;
}

static json_t *index_one(struct call *c, json_t *item, json_t *key)
{
    long long i;
    if (json_is_null(item))
        return call_fail(c, "index of untyped nil"), NULL;
    if (json_is_array(item)) {
        if (int_arg(c, key, &i) < 0)
            return call_fail(c, "cannot index slice/array with type %s", go_type(key)), NULL;
        if (i < 0 || (size_t)i >= json_array_size(item))
            return call_fail(c, "index out of range: %lld", i), NULL;
        return json_incref(json_array_get(item, (size_t)i));
    }
    if (json_is_object(item)) {
        if (!json_is_string(key))
            return call_fail(c, "value has type %s; should be string", go_type(key)), NULL;
        json_t *found = json_object_get(item, json_string_value(key));
        return found ? json_incref(found) : json_null();
    }
    return call_fail(c, "can't index item of type %s", go_type(item)), NULL;
}

static int fn_index(struct call *c, json_t **out)
{
    json_t *item = json_incref(c->args[0]);
    for (size_t i = 1; i < c->count; i++) {
        json_t *next_item = index_one(c, item, c->args[i]);
        json_decref(item);
        if (next_item == NULL)
            return -1;
        item = next_item;
    }
    *out = item;
    return 0;
}

/* fmt.Sprint puts spaces only between operands that are not strings. */
static int fn_print(struct call *c, json_t **out)
{
    cleanup_buf struct strbuf b = {0};
    for (size_t i = 0; i < c->count; i++) {
        if (i > 0 && !json_is_string(c->args[i - 1]) && !json_is_string(c->args[i]))
            buf_putc(&b, ' ');
        print_value(&b, c->args[i], false);
    }
    *out = buf_to_json(&b);
    return 0;
}

static int fn_println(struct call *c, json_t **out)
{
    cleanup_buf struct strbuf b = {0};
    for (size_t i = 0; i < c->count; i++) {
        if (i > 0)
            buf_putc(&b, ' ');
        print_value(&b, c->args[i], false);
    }
    buf_putc(&b, '\n');
    *out = buf_to_json(&b);
    return 0;
}

static int fn_printf(struct call *c, json_t **out)
{
    const char *format = NULL;
    size_t n = 0;
    if (string_arg(c, c->args[0], &format, &n) < 0)
        return -1;
    cleanup_buf struct strbuf b = {0};
    go_sprintf(&b, format, n, c->args + 1, c->count - 1);
    *out = buf_to_json(&b);
    return 0;
}

static int fn_json(struct call *c, json_t **out)
{
    cleanup_buf struct strbuf b = {0};
    json_encode(&b, c->args[0]);
    *out = buf_to_json(&b);
    return 0;
}

/* docker's join takes []string; decoded arrays hold any value, printed as %v. */
static int fn_join(struct call *c, json_t **out)
{
    const char *separator = NULL;
    size_t n = 0;
    if (!json_is_array(c->args[0]))
        return call_fail(c, "wrong type for value; expected []string; got %s", go_type(c->args[0]));
    if (string_arg(c, c->args[1], &separator, &n) < 0)
        return -1;
    cleanup_buf struct strbuf b = {0};
    for (size_t i = 0; i < json_array_size(c->args[0]); i++) {
        if (i > 0)
            buf_append(&b, separator, n);
        format_plain(&b, json_array_get(c->args[0], i));
    }
    *out = buf_to_json(&b);
    return 0;
}

static void split_runes(json_t *parts, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t rune;
        size_t length = utf8_decode((const unsigned char *)s + i, n - i, &rune);
        length = length ? length : 1;
        json_array_append_new(parts, must(json_stringn_nocheck(s + i, length)));
        i += length;
    }
}

/* strings.Split: an empty separator splits after each rune. */
static int fn_split(struct call *c, json_t **out)
{
    const char *s = NULL, *separator = NULL;
    size_t n = 0, m = 0;
    if (string_arg(c, c->args[0], &s, &n) < 0 || string_arg(c, c->args[1], &separator, &m) < 0)
        return -1;
    json_t *parts = must(json_array());
    if (m == 0) {
        split_runes(parts, s, n);
        *out = parts;
        return 0;
    }
    size_t start = 0;
    for (size_t i = 0; i + m <= n;) {
        if (memcmp(s + i, separator, m) == 0) {
            json_array_append_new(parts, must(json_stringn_nocheck(s + start, i - start)));
            i += m;
            start = i;
        } else {
            i++;
        }
    }
    json_array_append_new(parts, must(json_stringn_nocheck(s + start, n - start)));
    *out = parts;
    return 0;
}

enum case_change { CASE_UPPER, CASE_LOWER, CASE_TITLE };

/* ASCII only: Go's full Unicode case tables are beyond this subset. */
static int change_case(struct call *c, json_t **out, enum case_change change)
{
    const char *s = NULL;
    size_t n = 0;
    if (string_arg(c, c->args[0], &s, &n) < 0)
        return -1;
    cleanup_buf struct strbuf b = {0};
    buf_append(&b, s, n);
    bool word_start = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b.data[i];
        if (change == CASE_UPPER || (change == CASE_TITLE && word_start))
            b.data[i] = (char)toupper(ch);
        else if (change == CASE_LOWER)
            b.data[i] = (char)tolower(ch);
        /* strings.Title starts a word after any ASCII byte but letters, digits and _. */
        word_start = ch < 0x80 && !isalnum(ch) && ch != '_';
    }
    *out = buf_to_json(&b);
    return 0;
}

static int fn_upper(struct call *c, json_t **out)
{
    return change_case(c, out, CASE_UPPER);
}

static int fn_lower(struct call *c, json_t **out)
{
    return change_case(c, out, CASE_LOWER);
}

static int fn_title(struct call *c, json_t **out)
{
    return change_case(c, out, CASE_TITLE);
}

static int fn_pad(struct call *c, json_t **out)
{
    const char *s = NULL;
    size_t n = 0;
    long long before, after;
    if (string_arg(c, c->args[0], &s, &n) < 0 || int_arg(c, c->args[1], &before) < 0 ||
        int_arg(c, c->args[2], &after) < 0)
        return -1;
    if (before < 0 || after < 0 || before > 65536 || after > 65536)
        return call_fail(c, "negative or huge padding");
    cleanup_buf struct strbuf b = {0};
    if (n > 0) {
        buf_repeat(&b, ' ', (size_t)before);
        buf_append(&b, s, n);
        buf_repeat(&b, ' ', (size_t)after);
    }
    *out = buf_to_json(&b);
    return 0;
}

/* docker cuts bytes, not runes. */
static int fn_truncate(struct call *c, json_t **out)
{
    const char *s = NULL;
    size_t n = 0;
    long long length;
    if (string_arg(c, c->args[0], &s, &n) < 0 || int_arg(c, c->args[1], &length) < 0)
        return -1;
    if (length < 0)
        return call_fail(c, "slice bounds out of range [:%lld]", length);
    *out = must(json_stringn_nocheck(s, (size_t)length < n ? (size_t)length : n));
    return 0;
}

enum kind { KIND_NIL, KIND_BOOL, KIND_NUMBER, KIND_STRING, KIND_OTHER };

static enum kind basic_kind(json_t *v)
{
    return json_is_null(v)      ? KIND_NIL
           : json_is_boolean(v) ? KIND_BOOL
           : json_is_number(v)  ? KIND_NUMBER
           : json_is_string(v)  ? KIND_STRING
                                : KIND_OTHER;
}

/* Numbers compare as numbers whatever their JSON form; strings bytewise. */
static int order_of(json_t *a, json_t *b)
{
    if (json_is_number(a)) {
        if (json_is_integer(a) && json_is_integer(b))
            return (json_integer_value(a) > json_integer_value(b)) -
                   (json_integer_value(a) < json_integer_value(b));
        double x = json_number_value(a), y = json_number_value(b);
        return (x > y) - (x < y);
    }
    size_t n = json_string_length(a), m = json_string_length(b);
    int rc = memcmp(json_string_value(a), json_string_value(b), n < m ? n : m);
    return rc != 0 ? rc : (n > m) - (n < m);
}

static int equal(struct call *c, json_t *a, json_t *b, bool *result)
{
    enum kind ka = basic_kind(a), kb = basic_kind(b);
    if (ka == KIND_OTHER || kb == KIND_OTHER)
        return call_fail(c, "non-comparable type %s", go_type(ka == KIND_OTHER ? a : b));
    if (ka != kb && ka != KIND_NIL && kb != KIND_NIL)
        return call_fail(c, "incompatible types for comparison");
    if (ka != kb || ka == KIND_NIL)
        *result = ka == kb;
    else if (ka == KIND_BOOL)
        *result = json_is_true(a) == json_is_true(b);
    else
        *result = order_of(a, b) == 0;
    return 0;
}

/* eq a b c is a == b || a == c. */
static int fn_eq(struct call *c, json_t **out)
{
    if (c->count < 2)
        return call_fail(c, "missing argument for comparison");
    bool any = false;
    for (size_t i = 1; i < c->count && !any; i++)
        if (equal(c, c->args[0], c->args[i], &any) < 0)
            return -1;
    *out = json_boolean(any);
    return 0;
}

static int fn_ne(struct call *c, json_t **out)
{
    bool same;
    if (equal(c, c->args[0], c->args[1], &same) < 0)
        return -1;
    *out = json_boolean(!same);
    return 0;
}

static int ordered(struct call *c, int *order)
{
    enum kind ka = basic_kind(c->args[0]), kb = basic_kind(c->args[1]);
    if ((ka != KIND_NUMBER && ka != KIND_STRING) || (kb != KIND_NUMBER && kb != KIND_STRING))
        return call_fail(c, "invalid type for comparison");
    if (ka != kb)
        return call_fail(c, "incompatible types for comparison");
    *order = order_of(c->args[0], c->args[1]);
    return 0;
}

static int fn_lt(struct call *c, json_t **out)
{
    int order;
    return ordered(c, &order) < 0 ? -1 : (*out = json_boolean(order < 0), 0);
}

static int fn_le(struct call *c, json_t **out)
{
    int order;
    return ordered(c, &order) < 0 ? -1 : (*out = json_boolean(order <= 0), 0);
}

static int fn_gt(struct call *c, json_t **out)
{
    int order;
    return ordered(c, &order) < 0 ? -1 : (*out = json_boolean(order > 0), 0);
}

static int fn_ge(struct call *c, json_t **out)
{
    int order;
    return ordered(c, &order) < 0 ? -1 : (*out = json_boolean(order >= 0), 0);
}

static const struct function functions[] = {
    {"and", 1, -1, LOGIC_AND, NULL},
    {"or", 1, -1, LOGIC_OR, NULL},
    {"not", 1, 1, LOGIC_NONE, fn_not},
    {"len", 1, 1, LOGIC_NONE, fn_len},
    {"index", 1, -1, LOGIC_NONE, fn_index},
    {"print", 0, -1, LOGIC_NONE, fn_print},
    {"println", 0, -1, LOGIC_NONE, fn_println},
    {"printf", 1, -1, LOGIC_NONE, fn_printf},
    {"eq", 1, -1, LOGIC_NONE, fn_eq},
    {"ne", 2, 2, LOGIC_NONE, fn_ne},
    {"lt", 2, 2, LOGIC_NONE, fn_lt},
    {"le", 2, 2, LOGIC_NONE, fn_le},
    {"gt", 2, 2, LOGIC_NONE, fn_gt},
    {"ge", 2, 2, LOGIC_NONE, fn_ge},
    {"json", 1, 1, LOGIC_NONE, fn_json},
    {"join", 2, 2, LOGIC_NONE, fn_join},
    {"split", 2, 2, LOGIC_NONE, fn_split},
    {"upper", 1, 1, LOGIC_NONE, fn_upper},
    {"lower", 1, 1, LOGIC_NONE, fn_lower},
    {"title", 1, 1, LOGIC_NONE, fn_title},
    {"pad", 3, 3, LOGIC_NONE, fn_pad},
    {"truncate", 2, 2, LOGIC_NONE, fn_truncate},
};

static const struct function *find_function(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof(functions) / sizeof(*functions); i++)
        if (strlen(functions[i].name) == length && strncmp(functions[i].name, name, length) == 0)
            return &functions[i];
    return NULL;
}

/* ---- evaluator ---------------------------------------------------------- */

struct variable {
    const char *name;
    json_t *value;
};

struct exec {
    const char *text;
    struct strbuf out;
    struct variable *variables;
    size_t variable_count;
    husk_error_t *err;
};

/* What a list tells the range around it. */
enum flow { FLOW_ERROR = -1, FLOW_NEXT = 0, FLOW_BREAK, FLOW_CONTINUE };

/* docker's form: template: :1:2: executing "" at <.Nope>: map has no entry... */
__attribute__((format(printf, 4, 5))) static int exec_error(struct exec *x, size_t start,
                                                            size_t end, const char *fmt, ...)
{
    cleanup_free char *message = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&message, fmt, ap) < 0)
        message = NULL;
    va_end(ap);
    size_t line, column;
    locate(x->text, start, &line, &column);
    return husk_error_set(x->err, 0, "template: :%zu:%zu: executing \"\" at <%.*s>: %s", line,
                          column, (int)(end - start), x->text + start,
                          message ? message : "failed");
}

static void push_variable(struct exec *x, const char *name, json_t *value)
{
    struct variable *grown = realloc(x->variables, (x->variable_count + 1) * sizeof(*grown));
    if (grown == NULL)
        abort();
    x->variables = grown;
    x->variables[x->variable_count++] = (struct variable){name, json_incref(value)};
}

static void pop_variables(struct exec *x, size_t mark)
{
    while (x->variable_count > mark)
        json_decref(x->variables[--x->variable_count].value);
}

static struct variable *find_variable(struct exec *x, const char *name)
{
    for (size_t i = x->variable_count; i-- > 0;)
        if (strcmp(x->variables[i].name, name) == 0)
            return &x->variables[i];
    return NULL;
}

static void set_variable(struct variable *variable, json_t *value)
{
    json_incref(value);
    json_decref(variable->value);
    variable->value = value;
}

static int eval_pipeline(struct exec *x, const struct pipeline *pipeline, json_t *dot,
                         json_t **out);

static int field_of(struct exec *x, const struct operand *operand, json_t *value, const char *name,
                    json_t **out)
{
    if (json_is_object(value)) {
        json_t *field = json_object_get(value, name);
        if (field == NULL)
            return exec_error(x, operand->start, operand->end, "map has no entry for key \"%s\"",
                              name);
        *out = json_incref(field);
        return 0;
    }
    if (json_is_null(value))
        return exec_error(x, operand->start, operand->end, "nil pointer evaluating interface {}.%s",
                          name);
    return exec_error(x, operand->start, operand->end, "can't evaluate field %s in type %s", name,
                      go_type(value));
}

static int call_function(struct exec *x, const struct function *function,
                         const struct operand *args, size_t count, json_t *final, json_t *dot,
                         size_t start, size_t end, json_t **out);

static int eval_term(struct exec *x, const struct operand *operand, json_t *dot, json_t **out)
{
    struct variable *variable;
    switch (operand->kind) {
    case OPERAND_DOT:
    case OPERAND_FIELD:
        *out = json_incref(dot);
        return 0;
    case OPERAND_CONSTANT:
        *out = json_incref(operand->constant);
        return 0;
    case OPERAND_PIPELINE:
        return eval_pipeline(x, operand->pipeline, dot, out);
    case OPERAND_FUNCTION:
        return call_function(x, operand->function, NULL, 0, NULL, dot, operand->start, operand->end,
                             out);
    case OPERAND_VARIABLE:
        break;
    }
    if ((variable = find_variable(x, operand->name)) == NULL)
        return exec_error(x, operand->start, operand->end, "undefined variable \"%s\"",
                          operand->name);
    *out = json_incref(variable->value);
    return 0;
}

static int eval_operand(struct exec *x, const struct operand *operand, json_t *dot, json_t **out)
{
    json_t *value;
    if (eval_term(x, operand, dot, &value) < 0)
        return -1;
    for (size_t i = 0; i < operand->field_count; i++) {
        json_t *field = NULL;
        int rc = field_of(x, operand, value, operand->fields[i], &field);
        json_decref(value);
        if (rc < 0)
            return -1;
        value = field;
    }
    *out = value;
    return 0;
}

/* and/or stop at the first argument that decides, and return that argument. */
static int eval_logic(struct exec *x, const struct function *function, const struct operand *args,
                      size_t count, json_t *final, json_t *dot, json_t **out)
{
    json_t *value = NULL;
    for (size_t i = 0; i < count + (final != NULL); i++) {
        json_decref(value);
        if (i == count)
            value = json_incref(final);
        else if (eval_operand(x, &args[i], dot, &value) < 0)
            return -1;
        if (truth(value) == (function->logic == LOGIC_OR))
            break;
    }
    *out = value;
    return 0;
}

static int check_arity(struct exec *x, const struct function *function, size_t total, size_t start,
                       size_t end)
{
    if (function->max_args < 0 && total < (size_t)function->min_args)
        return exec_error(x, start, end, "wrong number of args for %s: want at least %d got %zu",
                          function->name, function->min_args, total);
    if (function->max_args >= 0 &&
        (total < (size_t)function->min_args || total > (size_t)function->max_args))
        return exec_error(x, start, end, "wrong number of args for %s: want %d got %zu",
                          function->name, function->min_args, total);
    return 0;
}

static int run_function(struct exec *x, const struct function *function, json_t **values,
                        size_t total, size_t start, size_t end, json_t **out)
{
    struct call call = {values, total, NULL};
    int rc = function->call(&call, out);
    if (rc < 0)
        exec_error(x, start, end, "error calling %s: %s", function->name,
                   call.message ? call.message : "failed");
    free(call.message);
    return rc;
}

/* The piped value FINAL, when there is one, is the last argument. */
static int call_function(struct exec *x, const struct function *function,
                         const struct operand *args, size_t count, json_t *final, json_t *dot,
                         size_t start, size_t end, json_t **out)
{
    size_t total = count + (final != NULL);
    if (check_arity(x, function, total, start, end) < 0)
        return -1;
    if (function->logic != LOGIC_NONE)
        return eval_logic(x, function, args, count, final, dot, out);
    json_t **values = calloc(total ? total : 1, sizeof(*values));
    if (values == NULL)
        abort();
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = eval_operand(x, &args[i], dot, &values[i]);
    if (final != NULL)
        values[count] = json_incref(final);
    if (rc == 0)
        rc = run_function(x, function, values, total, start, end, out);
    for (size_t i = 0; i < total; i++)
        json_decref(values[i]);
    free(values);
    return rc;
}

static int eval_command(struct exec *x, const struct command *command, json_t *dot, json_t *final,
                        json_t **out)
{
    const struct operand *first = &command->operands[0];
    if (first->kind == OPERAND_FUNCTION)
        return call_function(x, first->function, command->operands + 1, command->count - 1, final,
                             dot, command->start, command->end, out);
    if (command->count > 1 || final != NULL)
        return exec_error(x, first->start, first->end, "can't give argument to non-function %.*s",
                          (int)(first->end - first->start), x->text + first->start);
    return eval_operand(x, first, dot, out);
}

static void bind_declarations(struct exec *x, const struct pipeline *pipeline, json_t *value)
{
    for (size_t i = 0; i < pipeline->declaration_count; i++) {
        struct variable *variable = find_variable(x, pipeline->declarations[i]);
        if (pipeline->assign && variable != NULL)
            set_variable(variable, value);
        else
            push_variable(x, pipeline->declarations[i], value);
    }
}

static int eval_pipeline(struct exec *x, const struct pipeline *pipeline, json_t *dot, json_t **out)
{
    json_t *value = NULL;
    for (size_t i = 0; i < pipeline->count; i++) {
        json_t *result;
        int rc = eval_command(x, &pipeline->commands[i], dot, value, &result);
        json_decref(value);
        if (rc < 0)
            return -1;
        value = result;
    }
    bind_declarations(x, pipeline, value);
    *out = value;
    return 0;
}

static enum flow exec_list(struct exec *x, const struct list *list, json_t *dot);

static enum flow exec_branch(struct exec *x, const struct node *node, json_t *dot)
{
    size_t mark = x->variable_count;
    json_t *value;
    if (eval_pipeline(x, node->pipeline, dot, &value) < 0)
        return FLOW_ERROR;
    enum flow flow;
    if (truth(value))
        flow = exec_list(x, &node->body, node->kind == NODE_WITH ? value : dot);
    else
        flow = exec_list(x, &node->otherwise, dot);
    json_decref(value);
    pop_variables(x, mark);
    return flow;
}

/* One iteration: $i, $e := are the key and element; a lone $e := is the element. */
static enum flow range_step(struct exec *x, const struct node *node, size_t mark, json_t *key,
                            json_t *element)
{
    const struct pipeline *pipeline = node->pipeline;
    for (size_t i = 0; i < pipeline->declaration_count; i++) {
        json_t *value = pipeline->declaration_count == 2 && i == 0 ? key : element;
        struct variable *variable = pipeline->assign ? find_variable(x, pipeline->declarations[i])
                                                     : &x->variables[mark + i];
        if (variable != NULL)
            set_variable(variable, value);
    }
    size_t inner = x->variable_count;
    enum flow flow = exec_list(x, &node->body, element);
    pop_variables(x, inner);
    json_decref(key);
    return flow == FLOW_CONTINUE ? FLOW_NEXT : flow;
}

static enum flow range_over(struct exec *x, const struct node *node, size_t mark, json_t *value,
                            size_t *count)
{
    enum flow flow = FLOW_NEXT;
    if (json_is_array(value)) {
        *count = json_array_size(value);
        for (size_t i = 0; i < *count && flow == FLOW_NEXT; i++)
            flow = range_step(x, node, mark, must(json_integer((json_int_t)i)),
                              json_array_get(value, i));
    } else if (json_is_object(value)) {
        cleanup_free const char **keys = sorted_keys(value, count);
        for (size_t i = 0; i < *count && flow == FLOW_NEXT; i++)
            flow = range_step(x, node, mark, must(json_string_nocheck(keys[i])),
                              json_object_get(value, keys[i]));
    } else if (json_is_integer(value)) {
        /* Go 1.22 ranges over an integer: 0, 1, ..., n-1. */
        *count = json_integer_value(value) > 0 ? (size_t)json_integer_value(value) : 0;
        for (size_t i = 0; i < *count && flow == FLOW_NEXT; i++) {
            json_t *number = must(json_integer((json_int_t)i));
            flow = range_step(x, node, mark, json_incref(number), number);
            json_decref(number);
        }
    }
    return flow == FLOW_BREAK ? FLOW_NEXT : flow;
}

static enum flow exec_range(struct exec *x, const struct node *node, json_t *dot)
{
    size_t mark = x->variable_count;
    json_t *value;
    if (eval_pipeline(x, node->pipeline, dot, &value) < 0)
        return FLOW_ERROR;
    enum flow flow = FLOW_NEXT;
    size_t count = 0;
    if (!json_is_array(value) && !json_is_object(value) && !json_is_integer(value) &&
        !json_is_null(value))
        flow = exec_error(x, node->pipeline->start, node->pipeline->end,
                          "range can't iterate over %s", go_type(value));
    else
        flow = range_over(x, node, mark, value, &count);
    if (flow == FLOW_NEXT && count == 0)
        flow = exec_list(x, &node->otherwise, dot);
    json_decref(value);
    pop_variables(x, mark);
    return flow;
}

static enum flow exec_node(struct exec *x, const struct node *node, json_t *dot)
{
    json_t *value;
    switch (node->kind) {
    case NODE_TEXT:
        buf_append(&x->out, x->text + node->start, node->end - node->start);
        break;
    case NODE_ACTION:
        if (eval_pipeline(x, node->pipeline, dot, &value) < 0)
            return FLOW_ERROR;
        /* An action that declares a variable prints nothing. */
        if (node->pipeline->declaration_count == 0)
            print_value(&x->out, value, true);
        json_decref(value);
        break;
    case NODE_IF:
    case NODE_WITH:
        return exec_branch(x, node, dot);
    case NODE_RANGE:
        return exec_range(x, node, dot);
    case NODE_BREAK:
        return FLOW_BREAK;
    case NODE_CONTINUE:
        return FLOW_CONTINUE;
    }
    return FLOW_NEXT;
}

static enum flow exec_list(struct exec *x, const struct list *list, json_t *dot)
{
    for (size_t i = 0; i < list->count; i++) {
        enum flow flow = exec_node(x, &list->nodes[i], dot);
        if (flow != FLOW_NEXT)
            return flow;
    }
    return FLOW_NEXT;
}

/* ---- the API ------------------------------------------------------------ */

static int parse_tokens(struct template *template, const struct token *tokens, size_t count,
                        husk_error_t *err)
{
    struct parser p = {.text = template->text, .tokens = tokens, .count = count, .err = err};
    declare_variable(&p, "$");
    enum terminator terminator;
    int rc = parse_list(&p, &template->root, &terminator);
    if (rc == 0 && terminator != STOP_EOF)
        rc = parse_error(p.text, p.stop_at, err, "unexpected {{%s}}",
                         terminator == STOP_END ? "end" : "else");
    free(p.variables);
    return rc;
}

int template_parse(const char *text, struct template **out, husk_error_t *err)
{
    *out = NULL;
    if (text == NULL)
        return husk_error_set(err, EINVAL, "template: no template text");
    struct template *template = calloc(1, sizeof(*template));
    if (template == NULL || (template->text = strdup(text)) == NULL)
        abort();
    struct lexer l = {.text = template->text, .length = strlen(text), .err = err};
    int rc = lex(&l);
    if (rc == 0)
        rc = parse_tokens(template, l.tokens, l.count, err);
    free(l.tokens);
    if (rc < 0) {
        template_free(template);
        return -1;
    }
    *out = template;
    return 0;
}

int template_execute(const struct template *template, json_t *data, char **output,
                     husk_error_t *err)
{
    *output = NULL;
    if (template == NULL)
        return husk_error_set(err, EINVAL, "template: no template");
    json_t *root = data != NULL ? data : json_null();
    struct exec x = {.text = template->text, .err = err};
    push_variable(&x, "$", root);
    enum flow flow = exec_list(&x, &template->root, root);
    pop_variables(&x, 0);
    free(x.variables);
    if (flow == FLOW_ERROR) {
        buf_release(&x.out);
        return -1;
    }
    *output = buf_steal(&x.out);
    return 0;
}

void template_free(struct template *template)
{
    if (template == NULL)
        return;
    list_clear(&template->root);
    free(template->text);
    free(template);
}
