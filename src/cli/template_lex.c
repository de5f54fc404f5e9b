/* Turns template text into tokens; errors with Go's line:column positions. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "template_internal.h"

/* ---- errors ------------------------------------------------------------- */

/* Line (from 1) and byte column (from 0) of OFFSET, as Go reports them. */
void locate(const char *text, size_t offset, size_t *line, size_t *column)
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
__attribute__((format(printf, 4, 5))) int parse_error(const char *text, size_t offset,
                                                      husk_error_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *message = xvasprintf(fmt, ap);
    va_end(ap);
    size_t line, column;
    locate(text, offset, &line, &column);
    return husk_error_set(err, 0, "template: %zu:%zu: %s", line, column + 1, message);
}

static void push_token(struct lexer *l, enum token_kind kind, size_t start, size_t end)
{
    if (l->count == l->capacity) {
        size_t capacity = l->capacity ? l->capacity * 2 : 32;
        l->tokens = xreallocarray(l->tokens, capacity, sizeof(*l->tokens));
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

int lex(struct lexer *l)
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
