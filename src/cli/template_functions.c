/* The builtin functions of Go's text/template that docker's formats use,
 * plus docker's own (json, join, split, upper, lower, title, pad, truncate). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "template_internal.h"

/* ---- functions ---------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) int call_fail(struct call *c, const char *fmt, ...)
{
    free(c->message);
    va_list ap;
    va_start(ap, fmt);
    c->message = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

/* Go's truth: false, 0, "", nil and empty arrays and maps are false. */
bool truth(json_t *v)
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

const struct function *find_function(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof(functions) / sizeof(*functions); i++)
        if (strlen(functions[i].name) == length && strncmp(functions[i].name, name, length) == 0)
            return &functions[i];
    return NULL;
}
