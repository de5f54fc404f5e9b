/* Risks, in plain words with what to do about them, from the shared tables'
 * usage and what each container is allowed. Pure: JSON in, JSON out. */
#ifndef HUSK_AUDIT_RISKS_H
#define HUSK_AUDIT_RISKS_H

#include <jansson.h>

/* A table this full (percent) is a warning; RISK_HIGH_PERCENT, high. */
#define RISK_WARNING_PERCENT 75.0
#define RISK_HIGH_PERCENT    90.0

/* TABLES as shared_tables_read() gives them; CONTAINERS: [{"Name",
 * "PidsLimit", "MemoryLimit" (0: none), "Privileged", "SharedWithHost":
 * ["net", ...]}]; NOT_RESTORED: keys the classification probe changed on the
 * host that the kernel would not take back. Returns [{"Level": "high"|"warning", "Subject",
 * "Container"?, "Message", "Mitigation"}], the high ones first. */
json_t *audit_risks(json_t *tables, json_t *containers, json_t *not_restored);

#endif
