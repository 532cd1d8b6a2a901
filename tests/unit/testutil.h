/* testutil.h: small helpers shared by the unit tests. */
#ifndef VIRTMUX_TESTS_TESTUTIL_H
#define VIRTMUX_TESTS_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects report() messages so a test can assert on them exactly. */
#define TEST_REPORTS_MAX 32
struct test_reports {
	int n;
	char msg[TEST_REPORTS_MAX][1024];
};

static inline void test_reports_collect(const char *msg, void *opaque)
{
	struct test_reports *r = opaque;

	if (r->n < TEST_REPORTS_MAX)
		snprintf(r->msg[r->n], sizeof r->msg[r->n], "%s", msg);
	r->n++;
}

/* Write text to a fresh temporary file; returns its path (caller frees and unlinks). */
static inline char *test_write_tmp(const char *text, size_t len)
{
	char *path = strdup("/tmp/virtmux-test-XXXXXX");
	int fd;
	FILE *f;

	cr_assert_not_null(path);
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

#endif
