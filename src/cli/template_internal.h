/* Shared by the parts of the template engine (template_text.c: strings and
 * Go's spelling of values; template_lex.c: errors and lexer;
 * template_parse.c: syntax tree and parser; template_functions.c: builtin
 * functions; template.c: evaluator and the API). Not for other callers:
 * template.h is the interface. */
#ifndef HUSK_CLI_TEMPLATE_INTERNAL_H
#define HUSK_CLI_TEMPLATE_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"
#include "template.h"

/* Deeper nesting than any real format, and shallow enough for the stack. */
#define MAX_DEPTH 100

/* ---- growing strings ---------------------------------------------------- */

struct strbuf {
    char *data;
    size_t length, capacity;
};

#define cleanup_buf __attribute__((cleanup(buf_release)))

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

enum kind { KIND_NIL, KIND_BOOL, KIND_NUMBER, KIND_STRING, KIND_OTHER };

/* ---- evaluator ---------------------------------------------------------- */

struct variable {
    const char *name;
    json_t *value;
};

/* ---- shared functions, by the file that defines them -------------------- */

void buf_release(struct strbuf *b);
void buf_append(struct strbuf *b, const char *s, size_t n);
void buf_putc(struct strbuf *b, char c);
void buf_repeat(struct strbuf *b, char c, size_t count);
__attribute__((format(printf, 2, 3))) void buf_printf(struct strbuf *b, const char *fmt, ...);
char *buf_steal(struct strbuf *b);
json_t *buf_to_json(struct strbuf *b);
json_t *must(json_t *value);
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *rune);
void template_utf8_encode(struct strbuf *b, uint32_t r);
const char *go_type(json_t *v);
const char **sorted_keys(json_t *object, size_t *count);
void format_plain(struct strbuf *b, json_t *v);
void print_value(struct strbuf *b, json_t *v, bool top);
void go_sprintf(struct strbuf *b, const char *format, size_t n, json_t **args, size_t count);
void json_encode(struct strbuf *b, json_t *v);
void locate(const char *text, size_t offset, size_t *line, size_t *column);
__attribute__((format(printf, 4, 5))) int parse_error(const char *text, size_t offset,
                                                      husk_error_t *err, const char *fmt, ...);
int lex(struct lexer *l);
void list_clear(struct list *list);
__attribute__((format(printf, 2, 3))) int call_fail(struct call *c, const char *fmt, ...);
bool truth(json_t *v);
const struct function *find_function(const char *name, size_t length);
int parse_tokens(struct template *template, const struct token *tokens, size_t count,
                 husk_error_t *err);

#endif
