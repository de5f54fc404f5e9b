#!/usr/bin/env python3
"""Compares husk's default seccomp filter with docker's default profile, for
the README ("husk's default filter and docker's default profile").

    scripts/seccomp-compare.py MOBY_DEFAULT_JSON [BUILD_DIR]

MOBY_DEFAULT_JSON is moby's profiles/seccomp/default.json (not kept in this
repository: fetch the one of the moby version to compare with). husk's
profile comes from BUILD_DIR/tests/unit/test_seccomp_doc --profile (default
BUILD_DIR: build), i.e. from seccomp_profile_default() itself. Decided as on
this machine: x86_64, docker's 14 default capabilities, the running kernel;
the syscall names are those of <asm/unistd_64.h>.

Prints, one section per difference: what docker refuses and husk allows,
what husk refuses and docker allows, argument filters on either side, what
each capability opens in docker's profile, and the default errno.
"""
import json
import os
import re
import subprocess
import sys

DEFAULT_CAPS = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}
ARCH = "amd64"


def kernel_version():
    release = os.uname().release
    major, minor = re.match(r"(\d+)\.(\d+)", release).groups()
    return int(major), int(minor)


def x86_64_syscalls():
    for header in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"):
        if os.path.exists(header):
            with open(header) as f:
                return set(re.findall(r"#define __NR_(\w+)\s+\d+", f.read()))
    sys.exit("no <asm/unistd_64.h>: install linux-libc-dev")


def applies(rule, caps, kernel):
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if inc.get("caps") and not set(inc["caps"]) <= caps:
        return False
    if inc.get("arches") and ARCH not in inc["arches"]:
        return False
    if inc.get("minKernel"):
        wanted = tuple(int(x) for x in inc["minKernel"].split(".")[:2])
        if kernel < wanted:
            return False
    if exc.get("caps") and set(exc["caps"]) & caps:
        return False
    if exc.get("arches") and ARCH in exc["arches"]:
        return False
    return True


def args_text(args):
    parts = []
    for a in args or []:
        if a["op"] == "SCMP_CMP_MASKED_EQ":
            parts.append("arg%d & %#x == %#x" % (a["index"], a["value"], a.get("valueTwo", 0)))
        else:
            op = {"SCMP_CMP_EQ": "==", "SCMP_CMP_NE": "!=", "SCMP_CMP_LT": "<", "SCMP_CMP_LE": "<=",
                  "SCMP_CMP_GT": ">", "SCMP_CMP_GE": ">="}[a["op"]]
            parts.append("arg%d %s %#x" % (a["index"], op, a["value"]))
    return " and ".join(parts)


def errno_of(action, errno_ret, default_errno=1):
    if action == "SCMP_ACT_ALLOW":
        return "allow"
    value = errno_ret if errno_ret is not None else default_errno
    return {1: "EPERM", 38: "ENOSYS"}.get(value, "errno %d" % value)


def verdicts(profile, caps, kernel, names):
    """name -> (unconditional outcome, [(condition, outcome)])"""
    default = errno_of(profile["defaultAction"], profile.get("defaultErrnoRet"))
    result = {}
    for name in names:
        plain, conditional = None, []
        for rule in profile["syscalls"]:
            if name not in rule.get("names", []) or not applies(rule, caps, kernel):
                continue
            outcome = errno_of(rule["action"], rule.get("errnoRet"))
            if rule.get("args"):
                conditional.append((args_text(rule["args"]), outcome))
            elif plain is None or outcome != "allow":
                plain = outcome  # an errno rule wins over an allow, as in libseccomp
        result[name] = (plain or default, conditional)
    return result


def husk_profile(build):
    binary = os.path.join(build, "tests", "unit", "test_seccomp_doc")
    return json.loads(subprocess.run([binary, "--profile"], check=True, stdout=subprocess.PIPE).stdout)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        docker = json.load(f)
    husk = husk_profile(sys.argv[2] if len(sys.argv) == 3 else "build")
    kernel, names = kernel_version(), x86_64_syscalls()
    d, h = verdicts(docker, DEFAULT_CAPS, kernel, names), verdicts(husk, DEFAULT_CAPS, kernel, names)
    print("kernel %d.%d, x86_64, docker's default capabilities" % kernel)
    print("default: docker %s, husk %s" % (errno_of(docker["defaultAction"], docker.get("defaultErrnoRet")),
                                          errno_of(husk["defaultAction"], husk.get("defaultErrnoRet"))))
    sections = [
        ("docker refuses, husk allows", lambda n: d[n][0] != "allow" and not d[n][1] and h[n][0] == "allow" and not h[n][1]),
        ("husk refuses, docker allows", lambda n: h[n][0] != "allow" and not h[n][1] and d[n][0] == "allow" and not d[n][1]),
        ("both refuse, with different errnos", lambda n: "allow" not in (d[n][0], h[n][0]) and d[n][0] != h[n][0]),
        ("argument filters (either side)", lambda n: d[n][1] or h[n][1]),
    ]
    for title, wanted in sections:
        print("\n== " + title)
        for name in sorted(n for n in names if wanted(n)):
            line = "%s: docker %s, husk %s" % (name, d[name][0], h[name][0])
            for who, verdict in (("docker", d), ("husk", h)):
                for condition, outcome in verdict[name][1]:
                    line += "; %s %s if %s" % (who, outcome, condition)
            print(line)
    print("\n== named by docker's profile for every architecture, unknown to <asm/unistd_64.h> "
          "(newer than these headers: docker allows them where the kernel has them, husk too)")
    unknown = {n for r in docker["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args")
               and not (r.get("includes") or {}).get("arches") and not (r.get("includes") or {}).get("caps")
               for n in r["names"]} - names
    print(" ".join(sorted(unknown)))
    print("\n== what a capability opens in docker's profile (husk's opens nothing)")
    for cap in sorted({c for r in docker["syscalls"] for c in (r.get("includes") or {}).get("caps", [])}):
        wider = verdicts(docker, DEFAULT_CAPS | {cap}, kernel, names)
        opened = sorted(n for n in names if wider[n] != d[n])
        print("%s: %s" % (cap, " ".join(opened) if opened else "(nothing on x86_64)"))
    print("\n== architectures: docker %s; husk %s" % (
        " ".join(a["architecture"] + "+" + ",".join(a.get("subArchitectures") or []) for a in docker.get("archMap", [])),
        " ".join(husk.get("architectures", []))))


if __name__ == "__main__":
    main()
