/* A recursive-descent parser from tokens to a tree of nodes, and the tree's
 * cleanup. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "template_internal.h"

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

static void node_clear(struct node *node)
{
    pipeline_free(node->pipeline);
    list_clear(&node->body);
    list_clear(&node->otherwise);
}

void list_clear(struct list *list)
{
    for (size_t i = 0; i < list->count; i++)
        node_clear(&list->nodes[i]);
    free(list->nodes);
    *list = (struct list){0};
}

/* Appends by growing one at a time: templates are short. */
static void *append(void *array, size_t *count, size_t size)
{
    char *grown = xreallocarray(array, *count + 1, size);
    memset(grown + *count * size, 0, size);
    (*count)++;
    return grown;
}

static char *copy_span(const char *text, size_t start, size_t end)
{
    return xstrndup(text + start, end - start);
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
    p->variables = xreallocarray(p->variables, p->variable_count + 1, sizeof(*p->variables));
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
        template_utf8_encode(b, value);
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
    struct pipeline *pipeline = xcalloc(1, sizeof(*pipeline));
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

/* ---- the API ------------------------------------------------------------ */

int parse_tokens(struct template *template, const struct token *tokens, size_t count,
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
