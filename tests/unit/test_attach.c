/* src/engine/attach.h: the frames between the monitor and its clients. */
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/engine/attach.h"
#include "unit.h"

static void test_frames(void **state)
{
    (void)state;
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(attach_send(pair[0], 'o', "hello", 5), 0);
    assert_int_equal(attach_send(pair[0], 'e', NULL, 0), 0);
    char type = 0, payload[16];
    assert_int_equal(attach_receive(pair[1], &type, payload, sizeof(payload)), 5);
    assert_int_equal(type, 'o');
    assert_memory_equal(payload, "hello", 5);
    assert_int_equal(attach_receive(pair[1], &type, payload, sizeof(payload)), 0);
    assert_int_equal(type, 'e');
    /* Larger than the reader's buffer: an error, not an overflow. */
    assert_int_equal(attach_send(pair[0], 'o', "0123456789abcdefXYZ", 19), 0);
    assert_int_equal(attach_receive(pair[1], &type, payload, sizeof(payload)), -1);
    close(pair[0]);
    close(pair[1]);
}

/* A monitor killed closes the socket without its 'x' frame: EOF must not
 * pass for another empty frame of the last type (the client spun, reading
 * EOF forever). */
static void test_eof_is_type_zero(void **state)
{
    (void)state;
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(attach_send(pair[0], 'o', "x", 1), 0);
    close(pair[0]);
    char type = 0, payload[8];
    assert_int_equal(attach_receive(pair[1], &type, payload, sizeof(payload)), 1);
    assert_int_equal(type, 'o');
    assert_int_equal(attach_receive(pair[1], &type, payload, sizeof(payload)), 0);
    assert_int_equal(type, 0);
    close(pair[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_eof_is_type_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
