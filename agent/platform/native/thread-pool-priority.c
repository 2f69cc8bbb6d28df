/*
 * Lowers the scheduling priority (raises the nice value) of every thread of libuv's threadpool,
 * as a Node-API addon with one function:
 *
 *   lower(threads, nice) -> Promise<number>   how many distinct pool threads run at `nice` or a
 *                                             lower priority, counting earlier rounds
 *
 * Why: the agent's event loop (one thread) reads each request, scans the envelope and writes the
 * answer; the pool's threads sign (RSA) and write the privacy log. On a machine with few cores,
 * a pool thread woken for a signature took the core from the event loop (measured: a quarter of
 * the event loop's time under load was spent waiting inside crypto.sign's dispatch), and the
 * event loop is the part that cannot be spread. At nice 5 the loop wins when they compete and the
 * pool uses what is left: `npm run bench`'s 16-client rate went up 9.5% (4 pairs, alternated).
 *
 * Each pool thread is also made SCHED_BATCH (sched(7); its nice value stays). A thread woken for
 * a signature then no longer preempts the event loop on the loop's own core: "BATCH and IDLE
 * tasks do not preempt others" (Linux kernel/sched/fair.c, check_preempt_wakeup_fair in v6.12);
 * it runs on an idle core, or when the loop's slice ends. Measured first with `chrt -b -p 0 TID`
 * on each pool thread (those at nice 5) of a running agent, 10 alternated pairs: the 16-client rate 4.8% higher on average (higher in 7 pairs), the
 * cores idle 13.9% of the time against 15.2%, and p99 at half that rate at most 11.3 ms in 9 runs
 * of 10 (one 78 ms), against 5.7-25.6 ms (4 of 10 within 10 ms). Then with this addon, 6 pairs
 * against the build before it: 2,543/s against 2,400/s on average (higher in 3, within 1% in 2).
 *
 * How: Node-API async work runs its `execute` on a pool thread (napi_create_async_work, over
 * uv_queue_work). `threads` such jobs are queued; each sets its own thread's nice (on Linux
 * the nice value is per thread, setpriority(2) with a thread id) and then waits until all have
 * started, so that no two run on the same thread; the round gives up waiting after 1 s. A thread
 * busy with other work meanwhile is missed (two jobs then share a thread): the count says so,
 * and the caller tries again later. A thread already at a lower priority keeps its nice value;
 * nothing here ever raises a priority (which would need privilege), and each thread keeps the
 * I/O priority it had. Only a SCHED_OTHER thread is made SCHED_BATCH (a thread some other tool
 * put under another policy keeps it); an unprivileged thread may switch between the two.
 *
 * Built by installer/build/build-native.ts; Linux only.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The pool's threads lowered so far, by thread id, across rounds (libuv allows 1024 threads). */
static pthread_mutex_t lowered_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t lowered_tids[1024];
static int lowered_count = 0;

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t all_started;
  struct timespec deadline; /* CLOCK_MONOTONIC: one second for the whole round */
  int threads, nice, started, finished;
  napi_deferred deferred;
} round_t;

typedef struct {
  round_t *round;
  napi_async_work work;
} job_t;

/* Linux ioprio_set(2): a thread with no I/O priority of its own takes one from its nice value. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_SHIFT 13

static void remember(pid_t tid) {
  pthread_mutex_lock(&lowered_lock);
  int known = 0;
  for (int i = 0; i < lowered_count; i++) known |= lowered_tids[i] == tid;
  if (!known && lowered_count < 1024) lowered_tids[lowered_count++] = tid;
  pthread_mutex_unlock(&lowered_lock);
}

static void execute(napi_env env, void *data) {
  (void)env;
  round_t *round = ((job_t *)data)->round;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  errno = 0;
  int current = getpriority(PRIO_PROCESS, (id_t)tid);
  if (errno == 0) {
    if (current >= round->nice) {
      remember(tid); /* already at this priority or lower: its nice value stays */
    } else {
      /* Keep the I/O priority it had: without one of its own, the kernel derives it from nice
       * (best effort, level (nice + 20) / 5), and the privacy log's fdatasync runs here. */
      long io = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, tid);
      if (io >= 0 && (io >> IOPRIO_CLASS_SHIFT) == 0) syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | ((current + 20) / 5));
      if (setpriority(PRIO_PROCESS, (id_t)tid, round->nice) == 0) remember(tid);
    }
    /* sched_setscheduler keeps the nice value of a normal-policy thread (kernel/sched/syscalls.c,
     * _sched_setscheduler); on Linux the pid argument is a thread id. */
    if (sched_getscheduler(tid) == SCHED_OTHER) {
      struct sched_param none = {0};
      sched_setscheduler(tid, SCHED_BATCH, &none);
    }
  }
  /* Hold this thread until every job of the round has started, so each runs on a thread of its own. */
  pthread_mutex_lock(&round->lock);
  round->started++;
  pthread_cond_broadcast(&round->all_started);
  while (round->started < round->threads) {
    if (pthread_cond_timedwait(&round->all_started, &round->lock, &round->deadline) == ETIMEDOUT) break;
  }
  pthread_mutex_unlock(&round->lock);
}

static void complete(napi_env env, napi_status status, void *data) {
  (void)status;
  job_t *job = data;
  round_t *round = job->round;
  napi_delete_async_work(env, job->work);
  free(job);
  if (++round->finished < round->threads) return;
  pthread_mutex_lock(&lowered_lock);
  int lowered = lowered_count;
  pthread_mutex_unlock(&lowered_lock);
  napi_value value;
  napi_create_int32(env, lowered, &value);
  napi_resolve_deferred(env, round->deferred, value);
  pthread_cond_destroy(&round->all_started);
  pthread_mutex_destroy(&round->lock);
  free(round);
}

/* lower(threads, nice) -> Promise<number of distinct pool threads at `nice` or below, so far> */
static napi_value lower(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double threads = 0, nice = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 || napi_get_value_double(env, argv[0], &threads) != napi_ok ||
      napi_get_value_double(env, argv[1], &nice) != napi_ok || !(threads >= 1 && threads <= 1024) || threads != (int)threads || !(nice >= 1 && nice <= 19) ||
      nice != (int)nice) {
    napi_throw_type_error(env, NULL, "lower(threads 1-1024, nice 1-19)");
    return NULL;
  }
  round_t *round = calloc(1, sizeof *round);
  napi_value promise, name;
  pthread_condattr_t attributes;
  if (round == NULL || napi_create_promise(env, &round->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "thread-pool-priority", NAPI_AUTO_LENGTH, &name) != napi_ok) {
    free(round);
    napi_throw_error(env, NULL, "thread-pool-priority: could not start");
    return NULL;
  }
  pthread_mutex_init(&round->lock, NULL);
  pthread_condattr_init(&attributes);
  pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC); /* a clock set back does not stretch the wait */
  pthread_cond_init(&round->all_started, &attributes);
  pthread_condattr_destroy(&attributes);
  clock_gettime(CLOCK_MONOTONIC, &round->deadline);
  round->deadline.tv_sec += 1;
  round->threads = (int)threads;
  round->nice = (int)nice;
  for (int i = 0; i < (int)threads; i++) {
    job_t *job = calloc(1, sizeof *job);
    int queued = job != NULL;
    if (queued) {
      job->round = round;
      queued = napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) == napi_ok;
      if (queued && napi_queue_async_work(env, job->work) != napi_ok) {
        napi_delete_async_work(env, job->work);
        queued = 0;
      }
    }
    if (!queued) {
      free(job);
      /* The jobs already queued finish the round; none queued: nothing was done. */
      pthread_mutex_lock(&round->lock);
      round->threads = i;
      pthread_cond_broadcast(&round->all_started);
      pthread_mutex_unlock(&round->lock);
      if (i == 0) {
        napi_value zero;
        napi_create_int32(env, 0, &zero);
        napi_resolve_deferred(env, round->deferred, zero);
        pthread_cond_destroy(&round->all_started);
        pthread_mutex_destroy(&round->lock);
        free(round);
      }
      break;
    }
  }
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "lower", NAPI_AUTO_LENGTH, lower, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "lower", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
