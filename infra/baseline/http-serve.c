/*
 * The baseline server's --http mode, without I/O (see http-serve.h): a strict HTTP/1.1 head
 * parser (request line, header names and values, Content-Length, Connection) and the responses,
 * built once at start so serving a request is one parse and one copy.
 */
#define _GNU_SOURCE
#include "http-serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct response {
  char *data;
  size_t len;
};

/* 200 with the static body (keep-alive, and with Connection: close), 405, 400, 431. */
static struct response ok, ok_close, not_allowed, not_allowed_close, bad_request, too_large;
static size_t static_body_bytes;

/* A parsed head: its size, and what the server must do about it. */
struct head {
  size_t bytes;
  int get;
  int close;
  unsigned long long content_length;
};

enum parse { PARSE_MORE, PARSE_OK, PARSE_BAD, PARSE_TOO_LARGE };

static int make(struct response *r, const char *head, const char *body, size_t body_len) {
  size_t head_len = strlen(head);
  r->data = malloc(head_len + body_len);
  if (!r->data) return -1;
  memcpy(r->data, head, head_len);
  if (body_len) memcpy(r->data + head_len, body, body_len);
  r->len = head_len + body_len;
  return 0;
}

int http_init(size_t body_bytes) {
  char *body = malloc(body_bytes ? body_bytes : 1);
  if (!body) return -1;
  for (size_t i = 0; i < body_bytes; i++) body[i] = (char)(i % 251);
  char head[256];
  const char *ok_head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %zu\r\n%s\r\n";
  int failed = 0;
  snprintf(head, sizeof head, ok_head, body_bytes, "");
  failed |= make(&ok, head, body, body_bytes);
  snprintf(head, sizeof head, ok_head, body_bytes, "Connection: close\r\n");
  failed |= make(&ok_close, head, body, body_bytes);
  free(body);
  failed |= make(&not_allowed, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\n\r\n", "", 0);
  failed |= make(&not_allowed_close,
                 "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 "", 0);
  failed |= make(&bad_request, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "", 0);
  failed |= make(&too_large,
                 "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 "", 0);
  static_body_bytes = body_bytes;
  return failed ? -1 : 0;
}

/* RFC 9110 tchar: the characters of a method or a header name. */
static int is_tchar(unsigned char ch) {
  if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) return 1;
  return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* Checks `METHOD SP target SP HTTP/1.x` ending at `end` (its CR); sets the method and version. */
static int request_line(const char *p, const char *end, int *get, int *http10) {
  const char *s = p;
  while (p < end && is_tchar((unsigned char)*p)) p++;
  if (p == s || p >= end || *p != ' ') return 0;
  *get = (p - s == 3 && memcmp(s, "GET", 3) == 0);
  const char *target = ++p;
  while (p < end && (unsigned char)*p > ' ' && *p != 0x7f) p++;
  if (p == target || p >= end || *p != ' ') return 0;
  p++;
  if (end - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1')) return 0;
  *http10 = p[7] == '0';
  return 1;
}

/* True when the comma-separated value [v, end) holds the token `token` (case-insensitive). */
static int has_token(const char *v, const char *end, const char *token) {
  size_t n = strlen(token);
  for (const char *p = v; p + n <= end; p++) {
    int starts = p == v || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\t';
    int ends = p + n == end || p[n] == ',' || p[n] == ' ' || p[n] == '\t';
    if (starts && ends && strncasecmp(p, token, n) == 0) return 1;
  }
  return 0;
}

/* Parses one header line [p, end) (no CRLF) into h; 0 when it is malformed. */
static int header_line(const char *p, const char *end, struct head *h, int *keep_alive) {
  const char *name = p;
  while (p < end && is_tchar((unsigned char)*p)) p++;
  if (p == name || p >= end || *p != ':') return 0;
  size_t name_len = (size_t)(p - name);
  p++;
  for (const char *q = p; q < end; q++)
    if (((unsigned char)*q < ' ' && *q != '\t') || *q == 0x7f) return 0;
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  const char *v_end = end;
  while (v_end > p && (v_end[-1] == ' ' || v_end[-1] == '\t')) v_end--;
  if (name_len == 14 && strncasecmp(name, "content-length", 14) == 0) {
    if (p == v_end || v_end - p > 15) return 0;
    unsigned long long n = 0;
    for (const char *q = p; q < v_end; q++) {
      if (*q < '0' || *q > '9') return 0;
      n = n * 10 + (unsigned long long)(*q - '0');
    }
    h->content_length = n;
  } else if (name_len == 17 && strncasecmp(name, "transfer-encoding", 17) == 0) {
    return 0; /* request bodies in chunks are not part of the protocol: refused, not misread */
  } else if (name_len == 10 && strncasecmp(name, "connection", 10) == 0) {
    if (has_token(p, v_end, "close")) h->close = 1;
    if (has_token(p, v_end, "keep-alive")) *keep_alive = 1;
  }
  return 1;
}

/* Parses the head at the start of in[0..len). */
static enum parse parse_head(const char *in, size_t len, struct head *h) {
  size_t window = len < HTTP_MAX_HEAD_BYTES ? len : HTTP_MAX_HEAD_BYTES;
  const char *line_end = memmem(in, window, "\r\n", 2);
  const char *head_end = memmem(in, window, "\r\n\r\n", 4);
  memset(h, 0, sizeof *h);
  int http10 = 0, keep_alive = 0;
  /* A bad request line is refused at once, without waiting for the rest of the head. */
  if (line_end && !request_line(in, line_end, &h->get, &http10)) return PARSE_BAD;
  if (!head_end) return len >= HTTP_MAX_HEAD_BYTES ? PARSE_TOO_LARGE : PARSE_MORE;
  for (const char *p = line_end + 2; p < head_end + 2;) {
    const char *eol = memmem(p, (size_t)(head_end + 2 - p), "\r\n", 2);
    if (!header_line(p, eol, h, &keep_alive)) return PARSE_BAD;
    p = eol + 2;
  }
  if (http10 && !keep_alive) h->close = 1;
  h->bytes = (size_t)(head_end + 4 - in);
  return PARSE_OK;
}

static int append(struct out_buffer *out, const struct response *r) {
  if (out->len + r->len > out->cap) {
    size_t cap = out->cap ? out->cap : 65536;
    while (cap < out->len + r->len) cap *= 2;
    char *grown = realloc(out->data, cap);
    if (!grown) return -1;
    out->data = grown;
    out->cap = cap;
  }
  memcpy(out->data + out->len, r->data, r->len);
  out->len += r->len;
  return 0;
}

size_t http_serve(const char *in, size_t len, struct http_conn_state *st, struct out_buffer *out,
                  struct http_counters *k) {
  size_t used = 0;
  while (!st->closing) {
    if (st->skip) {
      size_t n = len - used < st->skip ? len - used : (size_t)st->skip;
      used += n;
      st->skip -= n;
      if (st->skip) break;
      continue;
    }
    if (used == len) break;
    struct head h;
    enum parse r = parse_head(in + used, len - used, &h);
    if (r == PARSE_MORE) break;
    if (r != PARSE_OK) {
      if (append(out, r == PARSE_BAD ? &bad_request : &too_large) < 0) return (size_t)-1;
      k->bad_requests++;
      st->closing = 1;
      return len;
    }
    used += h.bytes;
    k->requests++;
    k->head_bytes += h.bytes;
    if (h.get) {
      if (append(out, h.close ? &ok_close : &ok) < 0) return (size_t)-1;
      k->responses++;
      k->body_bytes += static_body_bytes;
    } else {
      if (append(out, h.close ? &not_allowed_close : &not_allowed) < 0) return (size_t)-1;
      st->skip = h.content_length;
    }
    if (h.close) st->closing = 1;
  }
  return used;
}
