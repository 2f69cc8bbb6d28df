/*
 * glibc's malloc_trim(0) for the agent, as a Node-API addon (one function, `trim()`).
 *
 * Why: after a burst of requests the agent frees what the burst allocated, but glibc gives back
 * to the system only the free memory at the top of its heap; free chunks below a block still in
 * use stay resident (measured here: about 14 MB of the agent's RSS after a 64-client load).
 * malloc_trim(3) releases the free pages inside the heap too (glibc 2.8 and later, "pad"
 * argument 0: trim as much as possible). Node has no way to call it, so this addon does, and the
 * agent calls it when it has been idle for a while (agent/memory/trim-when-idle.ts).
 *
 * Node-API (js_native_api.h / node_api.h) is ABI-stable across Node versions, so one build loads
 * in any runtime of the same OS and architecture. Built by installer/build/build-native.ts.
 * Elsewhere than glibc (musl, macOS, Windows) `trim()` does nothing and returns false.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#if defined(__linux__) /* glibc defines __GLIBC__ once a libc header is in */
#include <malloc.h>
#endif

static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if defined(__GLIBC__)
  released = malloc_trim(0);
#endif
  napi_value result;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
