/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAP for the host test programs in C (the shell's is guest/tap.sh):
 * ok(cond, fmt, ...) prints one numbered result, flushed (a test that
 * dies later keeps what it printed); print "1..n_test" at the end and
 * fail if n_fail.
 */
#ifndef VDEVKIT_HOST_TAP_H
#define VDEVKIT_HOST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int n_test, n_fail;

static void ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), unused));

static void ok(int cond, const char *fmt, ...)
{
    va_list ap;

    printf("%sok %d - ", cond ? "" : "not ", ++n_test);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!cond) {
        n_fail++;
    }
}

#endif
