/*
 * Baseline closed-loop client for wire protocol v1 over TCP: the "metal" load generator that
 * the C echo server and the Node driver are compared against.
 *
 * N connections, each with one frame in flight (pipeline 1): send a frame (u32 BE length, then
 * a body of seq u32 BE, send time u64 BE, payload), wait for the byte-identical echo, record the
 * round trip, send the next. One thread, one epoll loop, edge-triggered. Latency is recorded
 * at 1 µs resolution up to 10 s in a flat histogram, so percentiles are exact to the µs.
 *
 * Usage: echo-client --port P [--host 127.0.0.1] [--source-ip ADDR] [--connections 100]
 *                    [--size 64] [--duration 10] [--warmup 1]
 *   --size is the body size in bytes (>= 12); --duration/--warmup are seconds (decimals ok).
 * Prints one JSON object on stdout. Exit 0 on success, 1 when a reply mismatched or a
 * connection failed, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HIST_MAX_US 10000000 /* 10 s; slower round trips land in the last bucket */
#define MAX_EVENTS 512

struct conn {
  int fd;
  uint32_t seq;
  uint64_t sent_ns;
  size_t sent_off;  /* bytes of the current frame written */
  size_t recv_have; /* bytes of the echo received */
  unsigned char *frame;
  unsigned char *reply;
};

static uint32_t *hist;
static uint64_t hist_count, hist_sum_us, hist_max_us;
static size_t frame_bytes;
static uint64_t measure_from_ns, stop_at_ns;
static uint64_t messages, mismatches, errors;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void put_u64(unsigned char *p, uint64_t v) {
  put_u32(p, (uint32_t)(v >> 32));
  put_u32(p + 4, (uint32_t)v);
}

static void record(uint64_t us) {
  hist[us < HIST_MAX_US ? us : HIST_MAX_US - 1]++;
  hist_count++;
  hist_sum_us += us;
  if (us > hist_max_us) hist_max_us = us;
}

static uint64_t percentile(double p) {
  uint64_t rank = (uint64_t)(p / 100.0 * (double)hist_count + 0.5);
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (uint64_t us = 0; us < HIST_MAX_US; us++) {
    seen += hist[us];
    if (seen >= rank) return us;
  }
  return hist_max_us;
}

/* Starts the next frame: new seq and send time, payload pattern depends on seq. */
static void prepare(struct conn *c) {
  c->seq++;
  c->sent_ns = now_ns();
  put_u32(c->frame + 4, c->seq);
  put_u64(c->frame + 8, c->sent_ns);
  for (size_t i = 16; i < frame_bytes; i++) c->frame[i] = (unsigned char)(c->seq + i);
  c->sent_off = 0;
  c->recv_have = 0;
}

/* Writes what is left of the current frame; -1 on error. */
static int send_rest(struct conn *c) {
  while (c->sent_off < frame_bytes) {
    ssize_t n = write(c->fd, c->frame + c->sent_off, frame_bytes - c->sent_off);
    if (n > 0) c->sent_off += (size_t)n;
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    else return -1;
  }
  return 0;
}

/* Reads the echo; on a complete one records it and sends the next frame. -1 on error. */
static int on_readable(struct conn *c) {
  for (;;) {
    ssize_t n = read(c->fd, c->reply + c->recv_have, frame_bytes - c->recv_have);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
    size_t wanted = frame_bytes - c->recv_have;
    c->recv_have += (size_t)n;
    /* A short read emptied the queue; the rest of the reply arrives with a new edge. */
    if (c->recv_have < frame_bytes) {
      if ((size_t)n < wanted) return 0;
      continue;
    }
    uint64_t t = now_ns();
    if (memcmp(c->reply, c->frame, frame_bytes) != 0) mismatches++;
    if (c->sent_ns >= measure_from_ns && t <= stop_at_ns) {
      messages++;
      record((t - c->sent_ns) / 1000);
    }
    if (t >= stop_at_ns) return 1; /* this connection is done */
    prepare(c);
    /* Pipeline 1: nothing more can arrive before this request is answered, and that answer
     * raises a new edge, so no read is spent on the EAGAIN that would follow. */
    return send_rest(c) < 0 ? -1 : 0;
  }
}

static double parse_seconds(const char *s) { return strtod(s, NULL); }

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *source_ip = NULL;
  int port = -1;
  long connections = 100;
  long size = 64;
  double duration = 10, warmup = 1;
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i];
    if (i + 1 >= argc) { fprintf(stderr, "flag %s needs a value\n", f); return 2; }
    const char *v = argv[++i];
    if (!strcmp(f, "--host")) host = v;
    else if (!strcmp(f, "--source-ip")) source_ip = v;
    else if (!strcmp(f, "--port")) port = atoi(v);
    else if (!strcmp(f, "--connections")) connections = atol(v);
    else if (!strcmp(f, "--size")) size = atol(v);
    else if (!strcmp(f, "--duration")) duration = parse_seconds(v);
    else if (!strcmp(f, "--warmup")) warmup = parse_seconds(v);
    else {
      fprintf(stderr, "unknown flag %s; valid: --host --source-ip --port --connections --size "
                      "--duration --warmup\n", f);
      return 2;
    }
  }
  if (port <= 0 || connections < 1 || size < 12 || duration <= 0 || warmup < 0) {
    fprintf(stderr, "need --port N (>0), --connections >= 1, --size >= 12, --duration > 0\n");
    return 2;
  }

  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  hist = calloc(HIST_MAX_US, sizeof *hist);
  frame_bytes = 4 + (size_t)size;
  struct conn *conns = calloc((size_t)connections, sizeof *conns);
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &dst.sin_addr) != 1) { fprintf(stderr, "bad --host\n"); return 2; }

  uint64_t connect_start = now_ns();
  for (long i = 0; i < connections; i++) {
    struct conn *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (source_ip) {
      struct sockaddr_in src = {.sin_family = AF_INET};
      inet_pton(AF_INET, source_ip, &src.sin_addr);
      bind(c->fd, (struct sockaddr *)&src, sizeof src);
    }
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&dst, sizeof dst) < 0) {
      fprintf(stderr, "connect %ld failed: %s\n", i, strerror(errno));
      return 1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Connected blocking (simple, in order), then switched to non-blocking for the loop. */
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->frame = malloc(frame_bytes);
    c->reply = malloc(frame_bytes);
    put_u32(c->frame, (uint32_t)size);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
  }
  double connect_seconds = (double)(now_ns() - connect_start) / 1e9;

  uint64_t start = now_ns();
  measure_from_ns = start + (uint64_t)(warmup * 1e9);
  stop_at_ns = measure_from_ns + (uint64_t)(duration * 1e9);
  for (long i = 0; i < connections; i++) {
    prepare(&conns[i]);
    if (send_rest(&conns[i]) < 0) errors++;
  }

  long active = connections;
  struct epoll_event events[MAX_EVENTS];
  while (active > 0) {
    uint64_t t = now_ns();
    /* A reply that never comes must not hang the run: give stragglers one extra second. */
    if (t > stop_at_ns + 1000000000ull) break;
    int n = epoll_wait(epfd, events, MAX_EVENTS, 100);
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c->fd < 0) continue;
      int r = 0;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) r = -1;
      if (r == 0 && (events[i].events & EPOLLOUT)) r = send_rest(c);
      if (r == 0 && (events[i].events & EPOLLIN)) r = on_readable(c);
      if (r != 0) {
        if (r < 0) errors++;
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        active--;
      }
    }
  }
  long unfinished = active;
  for (long i = 0; i < connections; i++) if (conns[i].fd >= 0) close(conns[i].fd);

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"tool\":\"c1m-baseline-client\",\"connections\":%ld,\"bodyBytes\":%ld,"
         "\"pipeline\":1,\"warmupSeconds\":%.3f,\"durationSeconds\":%.3f,\"connectSeconds\":%.6f,"
         "\"messages\":%llu,\"messagesPerSecond\":%.1f,\"latencyMeanUs\":%.1f,"
         "\"latencyP50Us\":%llu,\"latencyP90Us\":%llu,\"latencyP99Us\":%llu,\"latencyP999Us\":%llu,"
         "\"latencyMaxUs\":%llu,\"mismatches\":%llu,\"errors\":%llu,\"unfinished\":%ld,"
         "\"cpuSeconds\":%.3f,\"rssBytesPeak\":%ld}\n",
         connections, size, warmup, duration, connect_seconds, (unsigned long long)messages,
         (double)messages / duration, hist_count ? (double)hist_sum_us / (double)hist_count : 0.0,
         (unsigned long long)percentile(50), (unsigned long long)percentile(90),
         (unsigned long long)percentile(99), (unsigned long long)percentile(99.9),
         (unsigned long long)hist_max_us, (unsigned long long)mismatches,
         (unsigned long long)errors, unfinished, cpu, ru.ru_maxrss * 1024L);
  return (mismatches > 0 || errors > 0) ? 1 : 0;
}
