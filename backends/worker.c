/* backends/worker.c: a job queue with one thread, completions delivered through a
 * pipe registered with libvirt's event loop (the one loop virtmux has). */
#include "backends/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

struct item {
    const struct job_ops *ops;      /* NULL for a posted call */
    void (*fn)(void *arg);
    void *arg;
    struct item *next;
};

struct queue { struct item *head, *tail; };

/* Shared between the loop and the thread; freed by whichever lets go last,
 * because a thread stuck in a network call may outlive worker_free(). */
struct worker {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct queue todo, finished;
    int refs;
    bool stopping, exited;
    pthread_cond_t gone;
    int pipe_rd, pipe_wr;
    int watch;
};

static void queue_push(struct queue *q, struct item *it)
{
    it->next = NULL;
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
}

static struct item *queue_pop(struct queue *q)
{
    struct item *it = q->head;
    if (it) {
        q->head = it->next;
        if (!q->head)
            q->tail = NULL;
    }
    return it;
}

static void item_discard(struct item *it)
{
    if (it->ops && it->ops->discard)
        it->ops->discard(it->arg);
    free(it);
}

static void worker_unref(struct worker *w)
{
    pthread_mutex_lock(&w->lock);
    bool last = --w->refs == 0;
    pthread_mutex_unlock(&w->lock);
    if (!last)
        return;
    struct item *it;
    while ((it = queue_pop(&w->todo)))
        item_discard(it);
    while ((it = queue_pop(&w->finished)))
        item_discard(it);
    close(w->pipe_rd);
    close(w->pipe_wr);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->gone);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static void notify_loop(struct worker *w)
{
    char c = 1;
    /* A full pipe already means "something to do"; EAGAIN is fine. */
    if (write(w->pipe_wr, &c, 1) < 0 && errno != EAGAIN)
        perror("virtmux: worker pipe");
}

static void *worker_thread(void *opaque)
{
    struct worker *w = opaque;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stopping && !w->todo.head)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->stopping)
            break;
        struct item *it = queue_pop(&w->todo);
        pthread_mutex_unlock(&w->lock);
        it->ops->run(it->arg);
        pthread_mutex_lock(&w->lock);
        if (w->stopping) {
            pthread_mutex_unlock(&w->lock);
            item_discard(it);
            pthread_mutex_lock(&w->lock);
            break;
        }
        queue_push(&w->finished, it);
        notify_loop(w);
    }
    w->exited = true;
    pthread_cond_broadcast(&w->gone);
    pthread_mutex_unlock(&w->lock);
    worker_unref(w);
    return NULL;
}

/* Loop thread: deliver finished jobs and posted calls, in order. */
static void on_pipe(int watch, int fd, int events, void *opaque)
{
    struct worker *w = opaque;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    /* A done() callback may call worker_free(): keep w alive until we return. */
    pthread_mutex_lock(&w->lock);
    w->refs++;
    pthread_mutex_unlock(&w->lock);
    for (;;) {
        pthread_mutex_lock(&w->lock);
        struct item *it = w->stopping ? NULL : queue_pop(&w->finished);
        pthread_mutex_unlock(&w->lock);
        if (!it)
            break;
        if (it->ops)
            it->ops->done(it->arg);
        else
            it->fn(it->arg);
        free(it);
    }
    worker_unref(w);
}

struct worker *worker_new(char *err, size_t errlen)
{
    struct worker *w = calloc(1, sizeof *w);
    int fds[2];
    if (!w || pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "worker: %s", strerror(errno));
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->gone, NULL);
    w->pipe_rd = fds[0];
    w->pipe_wr = fds[1];
    w->refs = 2; /* the loop side and the thread */
    w->watch = virEventAddHandle(w->pipe_rd, VIR_EVENT_HANDLE_READABLE, on_pipe, w, NULL);
    pthread_t tid;
    if (w->watch < 0 || pthread_create(&tid, NULL, worker_thread, w) != 0) {
        snprintf(err, errlen, "worker: cannot start thread or watch");
        if (w->watch >= 0)
            virEventRemoveHandle(w->watch);
        w->refs = 1;
        worker_unref(w);
        return NULL;
    }
    pthread_detach(tid);
    return w;
}

void worker_free_wait(struct worker *w, int wait_ms)
{
    if (!w)
        return;
    virEventRemoveHandle(w->watch);
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    if (wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!w->exited && pthread_cond_timedwait(&w->gone, &w->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&w->lock);
    worker_unref(w);
}

void worker_free(struct worker *w)
{
    worker_free_wait(w, 0);
}

int worker_submit(struct worker *w, const struct job_ops *ops, void *arg)
{
    struct item *it = calloc(1, sizeof *it);
    if (!it)
        return -1;
    it->ops = ops;
    it->arg = arg;
    pthread_mutex_lock(&w->lock);
    queue_push(&w->todo, it);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

int worker_post(struct worker *w, void (*fn)(void *arg), void *arg)
{
    struct item *it = calloc(1, sizeof *it);
    if (!it)
        return -1;
    it->fn = fn;
    it->arg = arg;
    pthread_mutex_lock(&w->lock);
    queue_push(&w->finished, it);
    notify_loop(w);
    pthread_mutex_unlock(&w->lock);
    return 0;
}
