/* Shared helpers for husk's cmocka unit tests. */
#ifndef HUSK_TESTS_UNIT_H
#define HUSK_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/util/error.h"

/* Asserts that ERR holds an error whose message contains WORD. */
#define assert_error_contains(err, word)                                                           \
    do {                                                                                           \
        const struct husk_error *e_ = (err);                                                       \
        if (e_ == NULL)                                                                            \
            fail_msg("expected an error containing \"%s\", got none", (word));                     \
        if (e_->message == NULL || strstr(e_->message, (word)) == NULL)                            \
            fail_msg("error \"%s\" does not contain \"%s\"", e_->message ? e_->message : "(null)", \
                     (word));                                                                      \
    } while (0)

/* Asserts that ERR is unset, printing its message otherwise. */
#define assert_no_error(err)                                                                       \
    do {                                                                                           \
        const struct husk_error *e_ = (err);                                                       \
        if (e_ != NULL)                                                                            \
            fail_msg("unexpected error: %s", e_->message ? e_->message : "(null)");                \
    } while (0)

#endif
