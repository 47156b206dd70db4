/*
 * The process group of --workers (see workers.h). Each child inherits the signal handlers of the
 * parent and stops on SIGTERM like the single-process server; it also gets SIGTERM should the
 * parent die, so a killed benchmark leaves no servers behind.
 */
#define _GNU_SOURCE
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t children[MAX_WORKERS];
static int child_count = 0;

int open_listener(const struct sockaddr_in *addr, int reuseport) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, (const struct sockaddr *)addr, sizeof *addr) < 0 || listen(fd, 65535) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

struct server_counters *start_workers(int n, struct sockaddr_in *addr, serve_fn serve) {
  if (n < 1 || n > MAX_WORKERS) return NULL;
  struct server_counters *slots =
      mmap(NULL, sizeof *slots * (size_t)n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (slots == MAP_FAILED) return NULL;
  memset(slots, 0, sizeof *slots * (size_t)n);
  /* The port is chosen (when 0) and held by a socket that binds without listening, so only the
   * children's listeners are offered connections. */
  int hold = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(hold, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(hold, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  socklen_t len = sizeof *addr;
  if (bind(hold, (struct sockaddr *)addr, sizeof *addr) < 0 || getsockname(hold, (struct sockaddr *)addr, &len) < 0) {
    perror("bind");
    return NULL;
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) < 0) return NULL;
  pid_t parent = getpid();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      stop_workers();
      return NULL;
    }
    if (pid == 0) {
      close(ready[0]);
      close(hold);
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      int fd = open_listener(addr, 1);
      if (fd < 0) {
        perror("worker bind/listen");
        _exit(1);
      }
      _exit(serve(fd, ready[1], &slots[i]));
    }
    children[child_count++] = pid;
  }
  close(ready[1]);
  int got = 0;
  char byte;
  while (got < n) {
    ssize_t r = read(ready[0], &byte, 1);
    if (r == 1) got++;
    else if (r < 0 && errno == EINTR) continue;
    else break; /* every child that could write has exited */
  }
  close(ready[0]);
  close(hold);
  if (got < n) {
    fprintf(stderr, "only %d of %d workers started\n", got, n);
    stop_workers();
    return NULL;
  }
  return slots;
}

void sum_workers(int n, const struct server_counters *slots, struct server_counters *sum) {
  memset(sum, 0, sizeof *sum);
  for (int i = 0; i < n; i++) add_counters(sum, &slots[i]);
}

int supervise_workers(volatile int *stopping, void (*on_wake)(void)) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  int status = 0;
  for (;;) {
    on_wake();
    if (*stopping) break;
    pid_t gone = waitpid(-1, &status, WNOHANG);
    if (gone > 0) {
      for (int i = 0; i < child_count; i++)
        if (children[i] == gone) children[i] = 0;
      fprintf(stderr, "worker %d exited on its own (status %d): stopping\n", (int)gone, status);
      sigprocmask(SIG_SETMASK, &old, NULL);
      stop_workers();
      return -1;
    }
    sigsuspend(&old); /* returns after a handled signal: SIGCHLD needs a handler to wake it */
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  return 0;
}

int stop_workers(void) {
  int failed = 0;
  for (int i = 0; i < child_count; i++)
    if (children[i] > 0) kill(children[i], SIGTERM);
  for (int i = 0; i < child_count; i++) {
    if (children[i] <= 0) continue;
    int status = 0;
    while (waitpid(children[i], &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    children[i] = 0;
  }
  return failed ? -1 : 0;
}
