/* src/engine/image_changes.h: Dockerfile instructions for --change. */
#include <stdlib.h>

#include "../../src/engine/image_changes.h"
#include "unit.h"

static char *applied(const char *const *changes)
{
    json_t *config = json_object();
    for (; *changes; changes++) {
        husk_error_t err = NULL;
        if (image_change_apply(config, *changes, &err) < 0)
            fail_msg("\"%s\" refused: %s", *changes, err->message);
    }
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(config);
    return text;
}

static void assert_applied(const char *const *changes, const char *expected)
{
    char *text = applied(changes);
    assert_string_equal(text, expected);
    free(text);
}

static void assert_refused(const char *change, const char *word)
{
    json_t *config = json_object();
    husk_error_t err = NULL;
    assert_int_equal(image_change_apply(config, change, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
    json_decref(config);
}

static void test_commands(void **state)
{
    (void)state;
    assert_applied((const char *[]){"CMD [\"nginx\", \"-g\", \"daemon off;\"]", NULL},
                   "{\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"]}");
    assert_applied((const char *[]){"CMD echo hi", NULL},
                   "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"]}");
    assert_applied((const char *[]){"entrypoint [\"/init\"]", NULL},
                   "{\"Entrypoint\":[\"/init\"]}");
}

static void test_environment_and_labels(void **state)
{
    (void)state;
    assert_applied((const char *[]){"ENV A=1 B=2", "ENV A=3", NULL}, "{\"Env\":[\"A=3\",\"B=2\"]}");
    assert_applied((const char *[]){"ENV GREETING hello world", NULL},
                   "{\"Env\":[\"GREETING=hello world\"]}");
    assert_applied((const char *[]){"LABEL a=b c=d", NULL},
                   "{\"Labels\":{\"a\":\"b\",\"c\":\"d\"}}");
    assert_refused("ENV =x", "KEY=VALUE");
}

static void test_strings_ports_volumes(void **state)
{
    (void)state;
    assert_applied((const char *[]){"WORKDIR /srv", "USER www-data", "STOPSIGNAL SIGQUIT", NULL},
                   "{\"StopSignal\":\"SIGQUIT\",\"User\":\"www-data\",\"WorkingDir\":\"/srv\"}");
    assert_applied((const char *[]){"EXPOSE 80 53/udp", NULL},
                   "{\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}}}");
    assert_applied((const char *[]){"VOLUME /data", "VOLUME [\"/logs\"]", NULL},
                   "{\"Volumes\":{\"/data\":{},\"/logs\":{}}}");
    assert_refused("WORKDIR relative", "absolute");
    assert_refused("EXPOSE 70000", "invalid port");
    assert_refused("EXPOSE 80/icmp", "invalid port");
    assert_refused("VOLUME data", "absolute");
}

static void test_unknown_and_empty(void **state)
{
    (void)state;
    assert_refused("RUN apt-get update", "not an instruction");
    assert_refused("CMD", "needs an argument");
    assert_refused("CMD [\"a\", 1]", "only strings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_environment_and_labels),
        cmocka_unit_test(test_strings_ports_volumes),
        cmocka_unit_test(test_unknown_and_empty),
    };
    return cmocka_run_group_tests_name("image_changes", tests, NULL, NULL);
}
