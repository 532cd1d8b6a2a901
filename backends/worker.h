/* backends/worker.h: one background thread per host that runs libvirt calls which
 * may block (connect, list, actions), handing results back to the event loop. */
#ifndef VIRTMUX_WORKER_H
#define VIRTMUX_WORKER_H

#include <stddef.h>

struct worker;

/* run() executes on the worker thread; done() later on the event-loop thread.
 * discard() frees arg when the worker is gone before done() could run.
 * Jobs of one worker run and complete in submission order. */
struct job_ops {
    void (*run)(void *arg);
    void (*done)(void *arg);
    void (*discard)(void *arg);
};

struct worker *worker_new(char *err, size_t errlen);
/* Stops accepting jobs; pending jobs are discarded. A job already running
 * finishes on its thread (it may be stuck in the network) and is discarded. */
void worker_free(struct worker *w);
/* Same, but waits up to wait_ms for the thread to finish its job (at exit,
 * so nothing is left half-done; never at runtime, where it would stall the UI). */
void worker_free_wait(struct worker *w, int wait_ms);
int worker_submit(struct worker *w, const struct job_ops *ops, void *arg);
/* From the worker thread: run fn(arg) on the loop thread as soon as possible
 * (used to ask the user something while the thread waits for the answer). */
int worker_post(struct worker *w, void (*fn)(void *arg), void *arg);

#endif
