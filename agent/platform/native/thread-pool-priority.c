/*
 * Lowers the scheduling priority (raises the nice value) of every thread of libuv's threadpool,
 * as a Node-API addon with one function:
 *
 *   lower(threads, nice) -> Promise<number>   how many threads now run at `nice` or lower priority
 *
 * Why: the agent's event loop (one thread) reads each request, scans the envelope and writes the
 * answer; the pool's threads sign (RSA) and write the privacy log. On a machine with few cores,
 * a pool thread woken for a signature took the core from the event loop (measured: a quarter of
 * the event loop's time under load was spent waiting inside crypto.sign's dispatch), and the
 * event loop is the part that cannot be spread. At nice 5 the loop wins when they compete and the
 * pool uses what is left: `npm run bench`'s 16-client rate went up 9.5% (4 pairs, alternated).
 *
 * How: Node-API async work runs its `execute` on a pool thread (napi_create_async_work, over
 * uv_queue_work). `threads` such jobs are queued; each sets its own thread's nice (on Linux
 * the nice value is per thread, setpriority(2) with a thread id) and then waits, up to 1 s,
 * until all have started, so that no two run on the same thread. A thread already at a lower
 * priority is left as it is; nothing here ever raises a priority (which would need privilege).
 *
 * Built by installer/build/build-native.ts; Linux only.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t all_started;
  int threads, nice, started, lowered, finished;
  napi_deferred deferred;
} round_t;

typedef struct {
  round_t *round;
  napi_async_work work;
} job_t;

static void execute(napi_env env, void *data) {
  (void)env;
  round_t *round = ((job_t *)data)->round;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  errno = 0;
  int current = getpriority(PRIO_PROCESS, (id_t)tid);
  int ok = errno == 0 && (current >= round->nice || setpriority(PRIO_PROCESS, (id_t)tid, round->nice) == 0);
  pthread_mutex_lock(&round->lock);
  round->started++;
  if (ok) round->lowered++;
  pthread_cond_broadcast(&round->all_started);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 1;
  while (round->started < round->threads) {
    if (pthread_cond_timedwait(&round->all_started, &round->lock, &until) == ETIMEDOUT) break;
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
  napi_value lowered;
  napi_create_int32(env, round->lowered, &lowered);
  napi_resolve_deferred(env, round->deferred, lowered);
  pthread_cond_destroy(&round->all_started);
  pthread_mutex_destroy(&round->lock);
  free(round);
}

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
  if (round == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&round->lock, NULL);
  pthread_cond_init(&round->all_started, NULL);
  round->threads = (int)threads;
  round->nice = (int)nice;
  napi_value promise, name;
  napi_create_promise(env, &round->deferred, &promise);
  napi_create_string_utf8(env, "thread-pool-priority", NAPI_AUTO_LENGTH, &name);
  for (int i = 0; i < round->threads; i++) {
    job_t *job = calloc(1, sizeof *job);
    if (job == NULL) abort(); /* a round half queued could never resolve */
    job->round = round;
    if (napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok || napi_queue_async_work(env, job->work) != napi_ok) abort();
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
