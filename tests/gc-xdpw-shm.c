/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * an LD_PRELOAD module for xdg-desktop-portal-wlr 0.7 in the test's
 * headless sway (pixman renderer, no GPU): xdpw 0.7 refuses to start a
 * screen cast unless the compositor offered a DMA-BUF format for the
 * frame (it checks its own portal version, not the screencopy version:
 * upstream issue emersion/xdg-desktop-portal-wlr#289), which a compositor
 * without a GPU never does. this module announces the frame's shared-memory
 * format as a DMA-BUF one too, before buffer_done; with no dmabuf modifiers
 * to offer, xdpw then negotiates shared memory with PipeWire, as it would
 * have without the check. everything else is the real xdpw.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client-core.h>

/* zwlr_screencopy_frame_v1's events, in protocol order (version 3) */
struct frame_listener
{
  void (*buffer) (void *, struct wl_proxy *, uint32_t, uint32_t, uint32_t, uint32_t);
  void (*flags) (void *, struct wl_proxy *, uint32_t);
  void (*ready) (void *, struct wl_proxy *, uint32_t, uint32_t, uint32_t);
  void (*failed) (void *, struct wl_proxy *);
  void (*damage) (void *, struct wl_proxy *, uint32_t, uint32_t, uint32_t, uint32_t);
  void (*linux_dmabuf) (void *, struct wl_proxy *, uint32_t, uint32_t, uint32_t);
  void (*buffer_done) (void *, struct wl_proxy *);
};

struct wrap
{
  const struct frame_listener *orig;
  void *data;
  uint32_t format, width, height;
  int have_shm, have_dmabuf;
};

static void
on_buffer (void *data, struct wl_proxy *f, uint32_t format, uint32_t w, uint32_t h, uint32_t stride)
{
  struct wrap *x = data;

  /* wl_shm's two codes that are not fourccs: argb8888 and xrgb8888 */
  x->format = format == 0 ? 0x34325241 : format == 1 ? 0x34325258 : format;
  x->width = w;
  x->height = h;
  x->have_shm = 1;
  x->orig->buffer (x->data, f, format, w, h, stride);
}

static void
on_flags (void *data, struct wl_proxy *f, uint32_t flags)
{
  struct wrap *x = data;

  x->orig->flags (x->data, f, flags);
}

static void
on_ready (void *data, struct wl_proxy *f, uint32_t hi, uint32_t lo, uint32_t ns)
{
  struct wrap *x = data;

  x->orig->ready (x->data, f, hi, lo, ns);
}

static void
on_failed (void *data, struct wl_proxy *f)
{
  struct wrap *x = data;

  x->orig->failed (x->data, f);
}

static void
on_damage (void *data, struct wl_proxy *f, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
  struct wrap *x = data;

  if (x->orig->damage != NULL)
    x->orig->damage (x->data, f, a, b, c, d);
}

static void
on_linux_dmabuf (void *data, struct wl_proxy *f, uint32_t format, uint32_t w, uint32_t h)
{
  struct wrap *x = data;

  x->have_dmabuf = 1;
  x->orig->linux_dmabuf (x->data, f, format, w, h);
}

static void
on_buffer_done (void *data, struct wl_proxy *f)
{
  struct wrap *x = data;

  if (x->have_shm && !x->have_dmabuf && x->orig->linux_dmabuf != NULL)
    x->orig->linux_dmabuf (x->data, f, x->format, x->width, x->height);
  x->orig->buffer_done (x->data, f);
}

static const struct frame_listener wrapped = {
  on_buffer, on_flags, on_ready, on_failed, on_damage, on_linux_dmabuf, on_buffer_done,
};

int wl_proxy_add_listener (struct wl_proxy *proxy, void (**implementation) (void), void *data);

int
wl_proxy_add_listener (struct wl_proxy *proxy, void (**implementation) (void), void *data)
{
  static int (*real) (struct wl_proxy *, void (**) (void), void *);
  struct wrap *x;

  if (real == NULL)
    real = (int (*) (struct wl_proxy *, void (**) (void), void *))
      dlsym (RTLD_NEXT, "wl_proxy_add_listener");
  if (strcmp (wl_proxy_get_class (proxy), "zwlr_screencopy_frame_v1") != 0
      || wl_proxy_get_version (proxy) < 3)
    return real (proxy, implementation, data);
  /* one small wrap per frame; xdpw makes one frame per captured picture,
   * a test's few thousand are kept to the end */
  x = calloc (1, sizeof *x);
  x->orig = (const struct frame_listener *) implementation;
  x->data = data;
  return real (proxy, (void (**) (void)) &wrapped, x);
}
