/* tests/rig/conhold.c — hold the serial consoles of many libvirt domains open
 * at once (virDomainOpenConsole on non-blocking streams, one event loop), to
 * check a rig: every console opens, stays open, and shows what it should.
 *
 *     conhold -c URI [-t SECS] [-e TEXT] [-s LINE] [-a] [-f] [NAME...]
 *
 *   -c      libvirt URI (tests/rig/lxc.sh uri DIR)
 *   NAME    domains to open (default: every running domain)
 *   -t      hold for SECS seconds (default 10), then report and exit
 *   -e      expect TEXT in every console's output (after it was opened)
 *   -a      with -e: stop as soon as every console has shown TEXT
 *   -s      send LINE and CR to every console once it is open
 *   -f      force: take a console another client holds (VIR_DOMAIN_CONSOLE_FORCE)
 *
 * Prints one summary line (and one line per console that failed), e.g.
 *     opened 240/240 open-at-end 240 bytes 123456 expect-seen 240/240 max-open-ms 812
 * Exit 0 when every console opened and stayed open (and, with -e, every one
 * showed TEXT); 1 otherwise; 2 on usage errors.
 * Build: cc -std=c11 -O2 -o conhold conhold.c $(pkg-config --cflags --libs libvirt)
 */
#define _POSIX_C_SOURCE 200809L
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct con {
	char name[128];
	virDomainPtr dom;
	virStreamPtr st;
	int open;           /* stream open and not closed by the other end */
	int failed;         /* open failed or the stream ended with an error */
	int seen;           /* -e TEXT seen */
	long long bytes;
	char tail[512];     /* the last bytes, to find TEXT across reads */
	size_t taillen;
	char why[160];
};

static const char *expect;
static size_t nseen;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void con_close(struct con *c, const char *why)
{
	if (!c->st)
		return;
	virStreamEventRemoveCallback(c->st);
	if (why) {
		virStreamAbort(c->st);
		c->failed = 1;
		snprintf(c->why, sizeof c->why, "%s", why);
	} else {
		virStreamFinish(c->st);
	}
	virStreamFree(c->st);
	c->st = NULL;
	c->open = 0;
}

static void con_feed(struct con *c, const char *buf, size_t n)
{
	c->bytes += (long long)n;
	if (!expect || c->seen)
		return;
	/* keep the tail, then look for TEXT in it */
	size_t keep = sizeof c->tail - 1;
	if (n >= keep) {
		memcpy(c->tail, buf + n - keep, keep);
		c->taillen = keep;
	} else {
		if (c->taillen + n > keep) {
			size_t drop = c->taillen + n - keep;
			memmove(c->tail, c->tail + drop, c->taillen - drop);
			c->taillen -= drop;
		}
		memcpy(c->tail + c->taillen, buf, n);
		c->taillen += n;
	}
	c->tail[c->taillen] = '\0';
	/* console output may hold NULs: search piecewise */
	for (size_t off = 0; off < c->taillen; off += strlen(c->tail + off) + 1) {
		if (strstr(c->tail + off, expect)) {
			c->seen = 1;
			nseen++;
			return;
		}
	}
}

static void on_event(virStreamPtr st, int events, void *opaque)
{
	struct con *c = opaque;
	char buf[4096];

	if (!c->st || c->st != st)
		return; /* late event */
	if (events & VIR_STREAM_EVENT_READABLE) {
		for (int i = 0; i < 64; i++) { /* bounded per wake-up */
			int n = virStreamRecv(st, buf, sizeof buf);
			if (n > 0) {
				con_feed(c, buf, (size_t)n);
				continue;
			}
			if (n == -2)
				break; /* drained */
			if (n == 0) {
				con_close(c, "stream ended (EOF)");
				return;
			}
			con_close(c, virGetLastErrorMessage());
			return;
		}
	}
	if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
		con_close(c, events & VIR_STREAM_EVENT_ERROR ? "stream error" : "stream hangup");
}

static void usage(void)
{
	fprintf(stderr, "usage: conhold -c URI [-t SECS] [-e TEXT] [-a] [-s LINE] [-f] [NAME...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double secs = 10;
	const char *send = NULL, *uri = NULL;
	int all = 0, force = 0, opt;

	while ((opt = getopt(argc, argv, "c:t:e:as:f")) != -1) {
		switch (opt) {
		case 'c': uri = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'e': expect = optarg; break;
		case 'a': all = 1; break;
		case 's': send = optarg; break;
		case 'f': force = 1; break;
		default: usage();
		}
	}
	if (!uri || secs <= 0 || secs > 86400 || (expect && !*expect))
		usage();

	if (virEventRegisterDefaultImpl() < 0) {
		fprintf(stderr, "conhold: %s\n", virGetLastErrorMessage());
		return 1;
	}
	virConnectPtr conn = virConnectOpen(uri);
	if (!conn) {
		fprintf(stderr, "conhold: %s: %s\n", uri, virGetLastErrorMessage());
		return 1;
	}
	virConnectSetKeepAlive(conn, 5, 5);

	virDomainPtr *doms = NULL;
	int ndom;
	if (optind < argc) {
		ndom = argc - optind;
		doms = calloc((size_t)ndom, sizeof *doms);
		if (!doms)
			return 1;
		for (int i = 0; i < ndom; i++) {
			doms[i] = virDomainLookupByName(conn, argv[optind + i]);
			if (!doms[i]) {
				fprintf(stderr, "conhold: %s: %s\n", argv[optind + i], virGetLastErrorMessage());
				return 1;
			}
		}
	} else {
		ndom = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
		if (ndom < 0) {
			fprintf(stderr, "conhold: %s\n", virGetLastErrorMessage());
			return 1;
		}
	}
	struct con *cons = calloc(ndom > 0 ? (size_t)ndom : 1, sizeof *cons);
	if (!cons)
		return 1;

	double t0 = now_ms(), maxopen = 0;
	size_t opened = 0;
	for (int i = 0; i < ndom; i++) {
		struct con *c = &cons[i];
		c->dom = doms[i];
		snprintf(c->name, sizeof c->name, "%s", virDomainGetName(c->dom));
		double t = now_ms();
		c->st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
		if (!c->st ||
		    virDomainOpenConsole(c->dom, NULL, c->st, force ? VIR_DOMAIN_CONSOLE_FORCE : 0) < 0 ||
		    virStreamEventAddCallback(c->st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
		                              VIR_STREAM_EVENT_HANGUP, on_event, c, NULL) < 0) {
			snprintf(c->why, sizeof c->why, "open: %s", virGetLastErrorMessage());
			c->failed = 1;
			if (c->st)
				virStreamFree(c->st);
			c->st = NULL;
			continue;
		}
		double dt = now_ms() - t;
		if (dt > maxopen)
			maxopen = dt;
		c->open = 1;
		opened++;
		if (send) {
			char line[1024];
			int len = snprintf(line, sizeof line, "%s\r", send);
			if (len > 0 && len < (int)sizeof line && virStreamSend(c->st, line, (size_t)len) != len)
				snprintf(c->why, sizeof c->why, "send: %s", virGetLastErrorMessage());
		}
	}
	double topen = now_ms() - t0;

	double end = now_ms() + secs * 1e3;
	while (now_ms() < end) {
		if (all && expect && nseen == opened)
			break;
		if (virEventRunDefaultImpl() < 0)
			break;
	}

	size_t atend = 0;
	long long bytes = 0;
	for (int i = 0; i < ndom; i++) {
		atend += cons[i].open;
		bytes += cons[i].bytes;
	}
	printf("opened %zu/%d open-at-end %zu bytes %lld", opened, ndom, atend, bytes);
	if (expect)
		printf(" expect-seen %zu/%d", nseen, ndom);
	printf(" open-all-ms %.0f max-open-ms %.0f\n", topen, maxopen);
	int ok = ndom > 0 && opened == (size_t)ndom && atend == opened && (!expect || nseen == (size_t)ndom);
	for (int i = 0; i < ndom; i++) {
		struct con *c = &cons[i];
		if (c->failed || !c->open || (expect && !c->seen))
			printf("  %s: %s%s\n", c->name, c->why[0] ? c->why : "open",
			       expect && !c->seen ? " (expected text not seen)" : "");
		con_close(c, NULL);
		virDomainFree(c->dom);
	}
	free(doms);
	free(cons);
	virConnectClose(conn);
	return ok ? 0 : 1;
}
