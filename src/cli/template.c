/* The subset of Go's text/template that docker's --format uses: a lexer that
 * turns the text into tokens, a recursive-descent parser that builds a tree of
 * nodes, and an evaluator that walks the tree over jansson values.
 *
 * Values are always owned references (json_t *): every evaluation step returns
 * a new reference and the caller drops it, so errors can unwind anywhere. Out of
 * memory aborts, as everywhere in husk (see util/error.c). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "template_internal.h"

struct exec {
    const char *text;
    struct strbuf out;
    struct variable *variables;
    size_t variable_count;
    size_t steps; /* range iterations so far */
    husk_error_t *err;
};

/* Bounds on what one template may do: `{{range 1000000000}}` would
 * otherwise run (and grow its output) for as long as memory lasts. No
 * format docker documents comes near either. */
enum { TEMPLATE_MAX_STEPS = 1000000, TEMPLATE_MAX_OUTPUT = 16 * 1024 * 1024 };

/* What a list tells the range around it. */
enum flow { FLOW_ERROR = -1, FLOW_NEXT = 0, FLOW_BREAK, FLOW_CONTINUE };

/* docker's form: template: :1:2: executing "" at <.Nope>: map has no entry... */
__attribute__((format(printf, 4, 5))) static int exec_error(struct exec *x, size_t start,
                                                            size_t end, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *message = xvasprintf(fmt, ap);
    va_end(ap);
    size_t line, column;
    locate(x->text, start, &line, &column);
    return husk_error_set(x->err, 0, "template: :%zu:%zu: executing \"\" at <%.*s>: %s", line,
                          column, (int)(end - start), x->text + start, message);
}

static void push_variable(struct exec *x, const char *name, json_t *value)
{
    x->variables = xreallocarray(x->variables, x->variable_count + 1, sizeof(*x->variables));
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
    json_t **values = xcalloc(total, sizeof(*values));
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
    cleanup_json json_t *value = NULL;
    if (eval_pipeline(x, node->pipeline, dot, &value) < 0)
        return FLOW_ERROR;
    enum flow flow;
    if (truth(value))
        flow = exec_list(x, &node->body, node->kind == NODE_WITH ? value : dot);
    else
        flow = exec_list(x, &node->otherwise, dot);
    pop_variables(x, mark);
    return flow;
}

/* One iteration: $i, $e := are the key and element; a lone $e := is the element. */
static enum flow range_step(struct exec *x, const struct node *node, size_t mark, json_t *key,
                            json_t *element)
{
    const struct pipeline *pipeline = node->pipeline;
    if (++x->steps > TEMPLATE_MAX_STEPS) {
        json_decref(key);
        exec_error(x, node->start, node->start, "range runs more than %d times in all",
                   TEMPLATE_MAX_STEPS);
        return FLOW_ERROR;
    }
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
            cleanup_json json_t *number = must(json_integer((json_int_t)i));
            flow = range_step(x, node, mark, json_incref(number), number);
        }
    }
    return flow == FLOW_BREAK ? FLOW_NEXT : flow;
}

static enum flow exec_range(struct exec *x, const struct node *node, json_t *dot)
{
    size_t mark = x->variable_count;
    cleanup_json json_t *value = NULL;
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
        if (x->out.length > TEMPLATE_MAX_OUTPUT) {
            exec_error(x, list->nodes[i].start, list->nodes[i].start,
                       "output is larger than %d MiB", TEMPLATE_MAX_OUTPUT / (1024 * 1024));
            return FLOW_ERROR;
        }
    }
    return FLOW_NEXT;
}

int template_parse(const char *text, struct template **out, husk_error_t *err)
{
    *out = NULL;
    if (text == NULL)
        return husk_error_set(err, EINVAL, "template: no template text");
    struct template *template = xcalloc(1, sizeof(*template));
    template->text = xstrdup(text);
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
