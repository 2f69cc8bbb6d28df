/*
 * Exact lookups of one socket through the kernel's sock_diag netlink interface (sock_diag(7),
 * NETLINK_SOCK_DIAG with SOCK_DIAG_BY_FAMILY), as a Node-API addon with two functions:
 *
 *   lookup(family, localAddress, localPort, remoteAddress, remotePort)
 *     -> { family, state, localAddress, localPort, remoteAddress, remotePort, uid, inode }
 *        or undefined when the kernel knows no such socket (ENOENT).
 *   unixPeer(inode)
 *     -> { inode, peer } for the Unix socket `inode` and the inode of its peer (UNIX_DIAG_PEER;
 *        0 when it has none), or undefined when the kernel knows no such socket (ENOENT).
 *
 * Why: the caller's socket was found in /proc/net/tcp, which walks the whole established hash
 * (262,144 buckets here) on every read: about 3.3 ms per fresh connection. A request without
 * NLM_F_DUMP is answered by one hash lookup (Linux net/ipv4/inet_diag.c,
 * inet_diag_find_one_icsk), as `ss` and every other user of sock_diag see it.
 *
 * The lookup answers from the receiving side: it finds the socket whose local end is
 * (localAddress, localPort) and whose remote end is (remoteAddress, remotePort), and falls back
 * to a listener on the local end. This file only asks and reports what the kernel said;
 * agent/http/peer-uid.ts decides whether the answer is the client socket it asked for (the same
 * 4-tuple, a socket a process holds).
 *
 * The Unix lookup replaces a run of `ss -xnH`, a process that formats every Unix socket of the
 * machine (a terminal server has thousands) to find one peer: the kernel looks the socket up by
 * its inode in place (Linux net/unix/diag.c, unix_diag_get_exact, which walks the namespace's
 * Unix-socket table in unix_lookup_by_ino) and adds its peer's inode.
 *
 * Built by installer/build/build-native.ts; Linux only.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char *what, int error) {
  char text[160];
  snprintf(text, sizeof text, "sock_diag %s: %s", what, strerror(error));
  napi_throw_error(env, NULL, text);
  return NULL;
}

static int read_address(napi_env env, napi_value value, int family, void *out) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) != napi_ok) return 0;
  /* Too long to be an address, or cut at a NUL inside the string ("127.0.0.1\0junk"). */
  if (length >= sizeof text - 1 || strlen(text) != length) return 0;
  return inet_pton(family, text, out) == 1;
}

/* A whole number in [low, high], or -1: a double is read, so 2**32 + 4 is not taken as 4. */
static int read_integer(napi_env env, napi_value value, int low, int high) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok) return -1;
  if (!(number >= low && number <= high) || number != (double)(int)number) return -1;
  return (int)number;
}

static int set_number(napi_env env, napi_value object, const char *name, double number) {
  napi_value value;
  return napi_create_double(env, number, &value) == napi_ok && napi_set_named_property(env, object, name, value) == napi_ok;
}

static int set_address(napi_env env, napi_value object, const char *name, int family, const __be32 *address) {
  char text[INET6_ADDRSTRLEN];
  napi_value value;
  if (inet_ntop(family, address, text, sizeof text) == NULL) return 0;
  return napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok && napi_set_named_property(env, object, name, value) == napi_ok;
}

/*
 * Send one request to the kernel and read its answer into `buffer`; false (with a JS error thrown)
 * when either fails. The kernel answers an exact request before sendto returns: netlink_unicast_kernel
 * runs sock_diag_rcv in the sender's context, and the diag handler queues its one answer (or the
 * error) then. Nothing to wait for; if that ever changed, EAGAIN throws and the caller falls back.
 */
static int exchange(napi_env env, const void *message, size_t size, long *buffer, size_t buffer_size, ssize_t *received) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return fail(env, "socket", errno), 0;
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, message, size, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    int error = errno;
    close(fd);
    return fail(env, "send", error), 0;
  }
  struct sockaddr_nl sender;
  socklen_t sender_length = sizeof sender;
  memset(&sender, 0, sizeof sender);
  *received = recvfrom(fd, buffer, buffer_size, MSG_DONTWAIT, (struct sockaddr *)&sender, &sender_length);
  int receive_error = errno;
  close(fd);
  if (*received < 0) return fail(env, "receive", receive_error), 0;
  /* Only the kernel (port id 0) answers; anything else is not an answer to this request. */
  if (sender_length < sizeof sender || sender.nl_family != AF_NETLINK || sender.nl_pid != 0) return fail(env, "answer", EPROTO), 0;
  return 1;
}

/*
 * The kernel's answer to request `seq` among the `received` bytes of `buffer`: its header when it is
 * a SOCK_DIAG_BY_FAMILY message of at least `payload` bytes; NULL with `*gone` set when the kernel
 * said "no such socket" (ENOENT); NULL with a JS error thrown otherwise.
 */
static struct nlmsghdr *answer_to(napi_env env, const char *what, long *buffer, ssize_t received, __u32 seq, size_t payload, int *gone) {
  *gone = 0;
  int remaining = (int)received;
  for (struct nlmsghdr *h = (struct nlmsghdr *)buffer; NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
    if (h->nlmsg_seq != seq) continue;
    if (h->nlmsg_type == NLMSG_ERROR) {
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return fail(env, "answer", EPROTO), NULL;
      int error = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (error == ENOENT) {
        *gone = 1;
        return NULL;
      }
      return fail(env, what, error), NULL;
    }
    if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(payload)) return h;
  }
  return fail(env, "answer", EPROTO), NULL;
}

/* Zero the request of `size` bytes that `header` starts and fill in its netlink header: one
 * SOCK_DIAG_BY_FAMILY request, sequence number 1. */
static void init_request(struct nlmsghdr *header, size_t size) {
  memset(header, 0, size);
  header->nlmsg_len = (__u32)size;
  header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header->nlmsg_flags = NLM_F_REQUEST;
  header->nlmsg_seq = 1;
}

/* Send the request `header` starts and read the kernel's answer into `buffer` (answer_to). */
static struct nlmsghdr *ask(napi_env env, const char *what, const struct nlmsghdr *header, long *buffer, size_t buffer_size, size_t payload, int *gone) {
  ssize_t received = 0;
  *gone = 0;
  if (!exchange(env, header, header->nlmsg_len, buffer, buffer_size, &received)) return NULL;
  return answer_to(env, what, buffer, received, header->nlmsg_seq, payload, gone);
}

static napi_value lookup(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_type_error(env, NULL, "lookup(family, localAddress, localPort, remoteAddress, remotePort)");
    return NULL;
  }
  int version = read_integer(env, argv[0], 4, 6);
  int local_port = read_integer(env, argv[2], 1, 65535);
  int remote_port = read_integer(env, argv[4], 1, 65535);
  int family = version == 4 ? AF_INET : version == 6 ? AF_INET6 : 0;
  if (family == 0 || local_port < 0 || remote_port < 0) {
    napi_throw_type_error(env, NULL, "lookup: family must be 4 or 6 and ports 1-65535");
    return NULL;
  }

  struct {
    struct nlmsghdr header;
    struct inet_diag_req_v2 request;
  } message;
  init_request(&message.header, sizeof message);
  message.request.sdiag_family = (__u8)family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0U;
  message.request.id.idiag_sport = htons((uint16_t)local_port);
  message.request.id.idiag_dport = htons((uint16_t)remote_port);
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (!read_address(env, argv[1], family, message.request.id.idiag_src) || !read_address(env, argv[3], family, message.request.id.idiag_dst)) {
    napi_throw_type_error(env, NULL, "lookup: an address is not of the family given");
    return NULL;
  }

  long buffer[2048];
  int gone = 0;
  struct nlmsghdr *h = ask(env, "lookup", &message.header, buffer, sizeof buffer, sizeof(struct inet_diag_msg), &gone);
  napi_value result;
  napi_get_undefined(env, &result);
  if (h == NULL) return gone ? result : NULL; /* no such socket, or an error thrown */
  const struct inet_diag_msg *found = NLMSG_DATA(h);
  int found_family = found->idiag_family == AF_INET ? 4 : found->idiag_family == AF_INET6 ? 6 : 0;
  if (found_family == 0) return fail(env, "answer", EAFNOSUPPORT);
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (!set_number(env, result, "family", found_family) || !set_number(env, result, "state", found->idiag_state) ||
      !set_address(env, result, "localAddress", found->idiag_family, found->id.idiag_src) ||
      !set_number(env, result, "localPort", ntohs(found->id.idiag_sport)) ||
      !set_address(env, result, "remoteAddress", found->idiag_family, found->id.idiag_dst) ||
      !set_number(env, result, "remotePort", ntohs(found->id.idiag_dport)) || !set_number(env, result, "uid", found->idiag_uid) ||
      !set_number(env, result, "inode", found->idiag_inode))
    return fail(env, "answer", ENOMEM);
  return result;
}

static napi_value unix_peer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double number = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_double(env, argv[0], &number) != napi_ok ||
      !(number >= 1 && number <= 4294967295.0) || number != (double)(__u32)number) {
    napi_throw_type_error(env, NULL, "unixPeer(inode): an inode, 1 to 2**32 - 1");
    return NULL;
  }
  struct {
    struct nlmsghdr header;
    struct unix_diag_req request;
  } message;
  init_request(&message.header, sizeof message);
  message.request.sdiag_family = AF_UNIX;
  message.request.udiag_states = ~0U;
  message.request.udiag_ino = (__u32)number;
  message.request.udiag_show = UDIAG_SHOW_PEER;
  message.request.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.udiag_cookie[1] = INET_DIAG_NOCOOKIE;

  long buffer[1024];
  int gone = 0;
  struct nlmsghdr *h = ask(env, "unix lookup", &message.header, buffer, sizeof buffer, sizeof(struct unix_diag_msg), &gone);
  napi_value result;
  napi_get_undefined(env, &result);
  if (h == NULL) return gone ? result : NULL; /* no such socket, or an error thrown */
  const struct unix_diag_msg *found = NLMSG_DATA(h);
  if (found->udiag_family != AF_UNIX) return fail(env, "answer", EAFNOSUPPORT);
  /* The attributes follow the message (sk_diag_fill in net/unix/diag.c): the peer's inode is a u32. */
  __u32 peer = 0;
  int attributes = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(struct unix_diag_msg)));
  for (struct rtattr *a = (struct rtattr *)((char *)found + NLMSG_ALIGN(sizeof(struct unix_diag_msg))); RTA_OK(a, attributes); a = RTA_NEXT(a, attributes)) {
    if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(__u32)) memcpy(&peer, RTA_DATA(a), sizeof peer);
  }
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (!set_number(env, result, "inode", found->udiag_ino) || !set_number(env, result, "peer", peer)) return fail(env, "answer", ENOMEM);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "lookup", NAPI_AUTO_LENGTH, lookup, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "lookup", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "unixPeer", NAPI_AUTO_LENGTH, unix_peer, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "unixPeer", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
