/* Shared by the subcommands of husk-attack (tests/attack/). */
#ifndef HUSK_TESTS_ATTACK_H
#define HUSK_TESTS_ATTACK_H

/* Prints "ATTEMPT: ok" or "ATTEMPT: <strerror(error)>" (and keeps it in
 * the container's /tmp/attack.log). */
void report(const char *attempt, int ok, int error);
/* `husk-attack kernel`: see kernel.c. */
int attack_kernel(void);

#endif
