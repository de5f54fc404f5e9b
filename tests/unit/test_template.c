/* src/cli/template.h: docker's --format templates over JSON. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "../../src/cli/template.h"
#include "unit.h"

/* A trimmed inspect document. */
static const char document[] =
    "{\"Id\": \"abc123\", \"Name\": \"/web\","
    " \"State\": {\"Status\": \"running\", \"Pid\": 4242, \"Running\": true, \"ExitCode\": 0},"
    " \"Config\": {\"Env\": [\"PATH=/bin\", \"A=1\"], \"Labels\": {\"z\": \"last\", \"a\": "
    "\"first\"}, \"Cmd\": null, \"Image\": \"busybox\"},"
    " \"Ports\": [{\"Host\": \"0.0.0.0\", \"Port\": 80}, {\"Host\": \"::\", \"Port\": 443}],"
    " \"Empty\": [], \"EmptyMap\": {}, \"Zero\": 0, \"Real\": 1.5, \"Blank\": \"\","
    " \"Big\": 100000000, \"BigReal\": 100000000.0, \"Html\": \"<a&b>\", \"Count\": 3}";

static json_t *load(const char *text)
{
    json_error_t error;
    json_t *data = json_loads(text, JSON_DECODE_ANY, &error);
    if (data == NULL)
        fail_msg("bad test JSON: %s", error.text);
    return data;
}

/* Renders TEMPLATE over DATA_TEXT (the inspect document when NULL). */
static char *render(const char *template_text, const char *data_text)
{
    husk_error_t err = NULL;
    struct template *template = NULL;
    if (template_parse(template_text, &template, &err) < 0)
        fail_msg("parse %s: %s", template_text, err->message);
    json_t *data = load(data_text ? data_text : document);
    char *output = NULL;
    int rc = template_execute(template, data, &output, &err);
    json_decref(data);
    template_free(template);
    if (rc < 0) {
        char *message = strdup(err->message);
        husk_error_free(&err);
        fail_msg("execute %s: %s", template_text, message);
    }
    return output;
}

#define assert_renders(template, data, expected)                                                   \
    do {                                                                                           \
        char *out_ = render((template), (data));                                                   \
        assert_string_equal(out_, (expected));                                                     \
        free(out_);                                                                                \
    } while (0)

#define assert_doc(template, expected) assert_renders((template), NULL, (expected))

static void expect_parse_error(const char *template_text, const char *word)
{
    husk_error_t err = NULL;
    struct template *template = (struct template *)0x1;
    assert_int_equal(template_parse(template_text, &template, &err), -1);
    assert_null(template);
    assert_error_contains(err, word);
    assert_error_contains(err, "template: ");
    husk_error_free(&err);
}

static void expect_exec_error(const char *template_text, const char *data_text, const char *word)
{
    husk_error_t err = NULL;
    struct template *template = NULL;
    assert_int_equal(template_parse(template_text, &template, &err), 0);
    assert_no_error(err);
    json_t *data = load(data_text ? data_text : document);
    char *output = (char *)0x1;
    assert_int_equal(template_execute(template, data, &output, &err), -1);
    assert_null(output);
    assert_error_contains(err, word);
    json_decref(data);
    template_free(template);
    husk_error_free(&err);
}

static void test_literal_text(void **state)
{
    (void)state;
    assert_doc("", "");
    assert_doc("plain text", "plain text");
    assert_doc("a } b { c }", "a } b { c }");
}

static void test_fields(void **state)
{
    (void)state;
    assert_doc("{{.Id}}", "abc123");
    assert_doc("{{.State.Pid}}", "4242");
    assert_doc("pid={{ .State.Pid }}!", "pid=4242!");
    assert_doc("{{.State.Running}}", "true");
    assert_doc("{{.Config.Env}}", "[PATH=/bin A=1]");
    assert_doc("{{.Config.Cmd}}", "<no value>");
    assert_doc("{{.Config.Labels}}", "map[a:first z:last]");
    assert_doc("{{.Ports}}", "[map[Host:0.0.0.0 Port:80] map[Host::: Port:443]]");
    assert_renders("{{.}}", "\"just a string\"", "just a string");
    assert_renders("{{.}}", "null", "<no value>");
    assert_renders("{{.}}", "[1, \"a\", null, true]", "[1 a <nil> true]");
    assert_renders("{{.a.b.c}}", "{\"a\": {\"b\": {\"c\": \"deep\"}}}", "deep");
}

static void test_numbers_print_like_go(void **state)
{
    (void)state;
    assert_doc("{{.Big}}", "100000000");
    assert_doc("{{.BigReal}}", "1e+08");
    assert_doc("{{.Real}}", "1.5");
    assert_renders("{{.}}", "3000000.0", "3e+06");
    assert_renders("{{.}}", "123456.5", "123456.5");
    assert_renders("{{.}}", "1234567.0", "1.234567e+06");
    assert_renders("{{.}}", "0.0001", "0.0001");
    assert_renders("{{.}}", "0.00001", "1e-05");
    assert_renders("{{.}}", "0.1", "0.1");
    assert_renders("{{.}}", "2.0", "2");
    assert_renders("{{.}}", "-2.25", "-2.25");
    assert_renders("{{.}}", "-7", "-7");
    assert_renders("{{.}}", "9007199254740993", "9007199254740993");
}

static void test_whitespace_trimming(void **state)
{
    (void)state;
    assert_doc("a  {{- .Id -}}  \n b", "aabc123b");
    assert_doc("a {{- .Id}} b", "aabc123 b");
    assert_doc("a {{.Id -}} \t\n b", "a abc123b");
    assert_doc("{{range .Config.Env}}\n  {{- .}},\n{{- end}}", "PATH=/bin,A=1,");
    /* Without a space the dash is a minus sign. */
    assert_doc("{{-3}}", "-3");
    assert_doc("x {{/* a comment */}} y", "x  y");
    assert_doc("x {{- /* trimmed */ -}} y", "xy");
}

static void test_literals(void **state)
{
    (void)state;
    assert_doc("{{\"hi\"}}", "hi");
    assert_doc("{{\"a\\tb\\nc\\\"d\\\\e\"}}", "a\tb\nc\"d\\e");
    assert_doc("{{\"\\x41\\u00e9\\101\"}}", "A\xc3\xa9"
                                            "A");
    assert_doc("{{`raw\\n`}}", "raw\\n");
    assert_doc("{{\"}}\"}}", "}}");
    assert_doc("{{42}} {{-1}} {{0x10}} {{1.25}} {{true}} {{false}}", "42 -1 16 1.25 true false");
}

static void test_json(void **state)
{
    (void)state;
    /* json keeps the document's order (docker's struct field order), while
     * printing and range sort keys as Go does for maps. */
    assert_doc("{{json .State}}",
               "{\"Status\":\"running\",\"Pid\":4242,\"Running\":true,\"ExitCode\":0}");
    assert_doc("{{json .Config.Env}}", "[\"PATH=/bin\",\"A=1\"]");
    assert_doc("{{json .Config.Cmd}}", "null");
    assert_doc("{{json .Empty}} {{json .EmptyMap}}", "[] {}");
    assert_doc("{{json .Real}} {{json .BigReal}} {{json .Blank}}", "1.5 100000000 \"\"");
    /* docker's encoder sets SetEscapeHTML(false): <, >, & are kept. */
    assert_doc("{{json .Html}}", "\"<a&b>\"");
    assert_renders("{{json .}}", "\"q\\\"b\\\\n\\nt\\tr\\rc\\u0001\\b\\f\\u2028\\u00e9\"",
                   "\"q\\\"b\\\\n\\nt\\tr\\rc\\u0001\\b\\f\\u2028\xc3\xa9\"");
    assert_renders("{{json .}}", "1e-7", "1e-7");
    assert_renders("{{json .}}", "1e21", "1e+21");
    assert_renders("{{json .}}", "1e20", "100000000000000000000");
    assert_renders("{{json .}}", "{\"b\":[1,{\"d\":null,\"c\":false}],\"a\":\"x\"}",
                   "{\"b\":[1,{\"d\":null,\"c\":false}],\"a\":\"x\"}");
}

static void test_index(void **state)
{
    (void)state;
    assert_doc("{{index .Config.Labels \"a\"}}", "first");
    assert_doc("{{index .Config.Env 1}}", "A=1");
    assert_doc("{{index .Ports 1 \"Port\"}}", "443");
    assert_doc("{{index (index .Ports 0) \"Host\"}}", "0.0.0.0");
    assert_doc("{{index .Config.Labels \"missing\"}}", "<no value>");
    assert_doc("{{index .Config.Env}}", "[PATH=/bin A=1]");
    assert_renders("{{index . \"a.b\"}}", "{\"a.b\": 7}", "7");
}

static void test_len_join_case(void **state)
{
    (void)state;
    assert_doc("{{len .Config.Env}} {{len .Config.Labels}} {{len .Id}} {{len .Empty}}", "2 2 6 0");
    assert_doc("{{join .Config.Env \", \"}}", "PATH=/bin, A=1");
    assert_doc("{{join .Empty \",\"}}", "");
    assert_doc("{{upper .State.Status}} {{lower \"MiXeD\"}}", "RUNNING mixed");
    assert_doc("{{title \"hello wide-world foo_bar\"}}", "Hello Wide-World Foo_bar");
    assert_doc("{{split \"a,b,,c\" \",\"}}", "[a b  c]");
    assert_doc("{{len (split \"abc\" \"\")}}", "3");
    assert_doc("{{pad \"x\" 2 1}}|{{pad \"\" 2 1}}|", "  x ||");
    assert_doc("{{truncate \"abcdef\" 3}} {{truncate \"ab\" 3}}", "abc ab");
}

static void test_print_functions(void **state)
{
    (void)state;
    assert_doc("{{println .Id .State.Pid}}", "abc123 4242\n");
    assert_doc("{{println}}", "\n");
    assert_doc("{{print \"a\" \"b\" 1 2 \"c\"}}", "ab1 2c");
    assert_doc("{{print .Config.Cmd}}", "<nil>");
    assert_doc("{{printf \"%s-%d\" .Id .State.Pid}}", "abc123-4242");
    assert_doc("{{printf \"%v|%v|%v\" .Config.Env .Real .Config.Cmd}}",
               "[PATH=/bin A=1]|1.5|<nil>");
    assert_doc("{{printf \"%q\" .Html}}", "\"<a&b>\"");
    assert_doc("{{printf \"%q\" \"t\\tq\\\"\"}}", "\"t\\tq\\\"\"");
    assert_doc("{{printf \"100%%\"}}", "100%");
    assert_doc("{{printf \"%-6s|%6s|%05d|%.2s\" \"ab\" \"cd\" 42 \"xyz\"}}",
               "ab    |    cd|00042|xy");
    assert_doc("{{printf \"%x %X %t %.2f\" 255 255 true 3.14159}}", "ff FF true 3.14");
    assert_doc("{{printf \"%d\" \"str\"}}", "%!d(string=str)");
    assert_doc("{{printf \"%d %s\" 1}}", "1 %!s(MISSING)");
    assert_doc("{{printf \"%d\" 1 \"x\"}}", "1%!(EXTRA string=x)");
    assert_doc("{{printf \"%q\" .Config.Env}}", "[\"PATH=/bin\" \"A=1\"]");
}

static void test_pipelines(void **state)
{
    (void)state;
    assert_doc("{{.State.Status | upper}}", "RUNNING");
    assert_doc("{{.Id | printf \"%s!\" | upper}}", "ABC123!");
    assert_doc("{{.Config.Env | len}}", "2");
    assert_doc("{{(index .Ports 1).Port}}", "443");
    assert_doc("{{.Config.Labels | json}}", "{\"z\":\"last\",\"a\":\"first\"}");
}

static void test_range(void **state)
{
    (void)state;
    assert_doc("{{range .Config.Env}}[{{.}}]{{end}}", "[PATH=/bin][A=1]");
    assert_doc("{{range .Config.Labels}}{{.}},{{end}}", "first,last,");
    assert_doc("{{range $i, $e := .Config.Env}}{{$i}}={{$e}} {{end}}", "0=PATH=/bin 1=A=1 ");
    assert_doc("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}", "a:first;z:last;");
    assert_doc("{{range $e := .Config.Env}}{{$e}};{{end}}", "PATH=/bin;A=1;");
    assert_doc("{{range .Ports}}{{.Port}}@{{$.Id}} {{end}}", "80@abc123 443@abc123 ");
    assert_doc("{{range .Empty}}x{{else}}none{{end}}", "none");
    assert_doc("{{range .Config.Cmd}}x{{end}}", "");
    assert_doc("{{range .Count}}{{.}}{{end}}", "012");
    assert_doc("{{range .Config.Env}}{{if eq . \"A=1\"}}{{break}}{{end}}{{.}}{{end}}", "PATH=/bin");
    assert_doc("{{range .Config.Env}}{{if eq . \"PATH=/bin\"}}{{continue}}{{end}}{{.}}{{end}}",
               "A=1");
    assert_doc("{{range .Ports}}{{range $.Config.Env}}.{{end}}|{{end}}", "..|..|");
}

static void test_if_with(void **state)
{
    (void)state;
    assert_doc("{{if .State.Running}}up{{end}}", "up");
    assert_doc("{{if .Zero}}yes{{else}}no{{end}}", "no");
    assert_doc("{{if .Blank}}a{{else if .Empty}}b{{else if .Real}}c{{else}}d{{end}}", "c");
    assert_doc("{{if .EmptyMap}}a{{else if .Config.Cmd}}b{{else}}d{{end}}", "d");
    assert_doc("{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/4242");
    assert_doc("{{with .Blank}}x{{else}}empty{{end}}", "empty");
    assert_doc("{{with $s := .State.Status}}{{$s}}{{end}}", "running");
    assert_doc("{{with .Blank}}a{{else with .Id}}{{.}}{{end}}", "abc123");
    assert_doc("{{if $x := .Id}}{{$x}}{{end}}", "abc123");
    assert_doc("{{$n := .Id}}{{$n}}{{$n = \"z\"}}{{$n}}", "abc123z");
}

static void test_truthiness(void **state)
{
    (void)state;
    static const char *const falsy[] = {"false", "0", "0.0", "\"\"", "null", "[]", "{}"};
    static const char *const truthy[] = {"true", "1", "-1", "0.5", "\"0\"", "[0]", "{\"a\":0}"};
    for (size_t i = 0; i < sizeof(falsy) / sizeof(*falsy); i++) {
        assert_renders("{{if .}}T{{else}}F{{end}}", falsy[i], "F");
        assert_renders("{{not .}}", falsy[i], "true");
    }
    for (size_t i = 0; i < sizeof(truthy) / sizeof(*truthy); i++)
        assert_renders("{{if .}}T{{else}}F{{end}}", truthy[i], "T");
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_doc("{{eq .State.Status \"running\"}} {{eq .State.Pid 4242}} {{eq 1 2 3 1}}",
               "true true true");
    assert_doc("{{ne .Id \"x\"}} {{ne 1 1}}", "true false");
    assert_doc("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 3 2}} {{lt \"a\" \"b\"}}",
               "true true false true true");
    assert_doc("{{lt 1 1.5}} {{eq 2 2.0}}", "true true");
    assert_doc("{{eq .Config.Cmd nil}} {{eq .Id nil}}", "true false");
    assert_doc("{{and 1 \"x\"}} {{and 0 \"x\"}} {{or 0 \"\"}} {{or 0 \"y\"}}", "x 0  y");
    assert_doc("{{if and .State.Running (eq .State.Pid 4242)}}ok{{end}}", "ok");
    assert_doc("{{if or .Zero (not .Blank)}}ok{{end}}", "ok");
    /* and/or stop before an argument that would fail. */
    assert_doc("{{and .Zero .Nope}} {{or .Id .Nope}}", "0 abc123");
}

static void test_variables(void **state)
{
    (void)state;
    assert_doc("{{$.Id}} {{$.State.Pid}}", "abc123 4242");
    assert_doc("{{with .State}}{{$.Name}}{{end}}", "/web");
    assert_doc("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21");
    assert_doc("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2");
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("{{.Id", "unclosed action");
    expect_parse_error("ok {{.Id ", "1:4: unclosed action");
    expect_parse_error("{{.Id }", "unrecognized character in action: U+007D '}'");
    expect_parse_error("{{nope .Id}}", "function \"nope\" not defined");
    expect_parse_error("{{end}}", "unexpected {{end}}");
    expect_parse_error("{{else}}", "unexpected {{else}}");
    expect_parse_error("{{if .Id}}x", "missing {{end}} for {{if}}");
    expect_parse_error("{{range .Id}}{{if 1}}{{end}}", "missing {{end}} for {{range}}");
    expect_parse_error("{{with .Id}}x{{else}}y", "missing {{end}}");
    expect_parse_error("{{if 1}}a{{else}}b{{else}}c{{end}}", "found {{else}}");
    expect_parse_error("{{\"abc}}", "unterminated quoted string");
    expect_parse_error("{{`abc}}", "unterminated raw quoted string");
    expect_parse_error("{{\"\\q\"}}", "invalid syntax");
    expect_parse_error("{{(.Id}}", "unclosed left paren");
    expect_parse_error("{{.Id)}}", "unexpected right paren");
    expect_parse_error("{{}}", "missing value for command");
    expect_parse_error("{{if}}x{{end}}", "missing value for if");
    expect_parse_error("{{.Id | }}", "missing value for command");
    expect_parse_error("{{$x}}", "undefined variable \"$x\"");
    expect_parse_error("{{$x = 1}}", "undefined variable \"$x\"");
    expect_parse_error("{{if 1}}{{$x := 1}}{{end}}{{$x}}", "undefined variable \"$x\"");
    expect_parse_error("{{3x}}", "bad number syntax: 3x");
    expect_parse_error("{{!}}", "unrecognized character in action: U+0021 '!'");
    expect_parse_error("{{nil}}", "nil is not a command");
    expect_parse_error("{{break}}", "{{break}} outside {{range}}");
    expect_parse_error("{{with $a, $b := .}}{{end}}", "too many declarations in with");
    expect_parse_error("{{end x}}", "unexpected \"x\" in end");
    expect_parse_error("{{/* open", "unclosed comment");
    expect_parse_error("{{/* c */ .Id}}", "comment ends before closing delimiter");
    expect_parse_error("{{define \"x\"}}{{end}}", "not supported");
    expect_parse_error("a\nb {{if}}", "2:7: missing value for if");
}

static void test_parse_error_deep_nesting(void **state)
{
    (void)state;
    char text[4096] = "{{";
    for (int i = 0; i < 500; i++)
        strcat(text, "(");
    strcat(text, "}}");
    expect_parse_error(text, "nesting too deep");
}

static void test_exec_errors(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct template *template = NULL;
    assert_int_equal(template_parse("{{.Nope}}", &template, &err), 0);
    json_t *data = load(document);
    char *output = NULL;
    assert_int_equal(template_execute(template, data, &output, &err), -1);
    assert_string_equal(err->message,
                        "template: :1:2: executing \"\" at <.Nope>: map has no entry for key "
                        "\"Nope\"");
    husk_error_free(&err);
    json_decref(data);
    template_free(template);

    expect_exec_error("x\n  {{.State.Nope}}", NULL, ":2:4: executing \"\" at <.State.Nope>");
    /* Bounded work and output (issue 19): without, {{range N}} ran unbounded. */
    expect_exec_error("{{range 2000000000}}{{end}}", NULL, "range runs more than 1000000 times");
    expect_exec_error("{{range 1100}}{{range 1000}}{{end}}{{end}}", NULL,
                      "range runs more than 1000000 times");
    expect_exec_error("{{range 900000}}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{end}}", NULL,
                      "output is larger than 16 MiB");
    assert_doc("{{range 3}}{{.}}{{end}}", "012");
    expect_exec_error("{{.Id.Sub}}", NULL, "can't evaluate field Sub in type string");
    expect_exec_error("{{.Config.Cmd.X}}", NULL, "nil pointer evaluating interface {}.X");
    expect_exec_error("{{index .Config.Env 5}}", NULL,
                      "error calling index: index out of range: 5");
    expect_exec_error("{{index .Config.Env \"a\"}}", NULL, "cannot index slice/array");
    expect_exec_error("{{index .Id 0}}", NULL, "can't index item of type string");
    expect_exec_error("{{index .Config.Cmd 0}}", NULL, "index of untyped nil");
    expect_exec_error("{{len .State.Pid}}", NULL, "error calling len: len of type int");
    expect_exec_error("{{len .Id .Id}}", NULL, "wrong number of args for len: want 1 got 2");
    expect_exec_error("{{index}}", NULL, "wrong number of args for index: want at least 1 got 0");
    expect_exec_error("{{upper .State.Pid}}", NULL, "expected string; got int");
    expect_exec_error("{{eq .Id 1}}", NULL, "incompatible types for comparison");
    expect_exec_error("{{eq .Config.Env .Config.Env}}", NULL, "non-comparable type");
    expect_exec_error("{{lt true false}}", NULL, "invalid type for comparison");
    expect_exec_error("{{.Id .State}}", NULL, "can't give argument to non-function .Id");
    expect_exec_error("{{.Id | .State}}", NULL, "can't give argument to non-function .State");
    expect_exec_error("{{range .Id}}{{end}}", NULL, "range can't iterate over string");
    expect_exec_error("{{range .Ports}}{{.Nope}}{{end}}", NULL, "no entry for key \"Nope\"");
    expect_exec_error("{{printf 1}}", NULL, "expected string; got int");
}

static void test_reuse_and_null_data(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct template *template = NULL;
    assert_int_equal(template_parse("{{.}}|{{len $}}", &template, &err), 0);
    for (int i = 0; i < 3; i++) {
        char *output = NULL;
        json_t *data = json_pack("[i,i]", i, i);
        assert_int_equal(template_execute(template, data, &output, &err), 0);
        char expected[32];
        snprintf(expected, sizeof(expected), "[%d %d]|2", i, i);
        assert_string_equal(output, expected);
        free(output);
        json_decref(data);
    }
    template_free(template);

    assert_int_equal(template_parse("<{{.}}>", &template, &err), 0);
    char *output = NULL;
    assert_int_equal(template_execute(template, NULL, &output, &err), 0);
    assert_string_equal(output, "<<no value>>");
    free(output);
    template_free(template);
    template_free(NULL);
}

static void test_multiline_template(void **state)
{
    (void)state;
    assert_doc("Name: {{.Name}}\n"
               "{{- range $k, $v := .Config.Labels}}\n"
               "  {{$k}}={{$v}}\n"
               "{{- end}}\n",
               "Name: /web\n  a=first\n  z=last\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_text),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_numbers_print_like_go),
        cmocka_unit_test(test_whitespace_trimming),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_len_join_case),
        cmocka_unit_test(test_print_functions),
        cmocka_unit_test(test_pipelines),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_if_with),
        cmocka_unit_test(test_truthiness),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_error_deep_nesting),
        cmocka_unit_test(test_exec_errors),
        cmocka_unit_test(test_reuse_and_null_data),
        cmocka_unit_test(test_multiline_template),
    };
    return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
