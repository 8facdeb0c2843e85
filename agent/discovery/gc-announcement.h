/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GC_ROLE_SOURCE = 1 << 0,
  GC_ROLE_RECEIVER = 1 << 1,
} GcRole;

#define GC_ROLE_ALL (GC_ROLE_SOURCE | GC_ROLE_RECEIVER)

/* what an agent says about itself, by beacon and by mDNS TXT records */
typedef struct
{
  gchar *id;             /* a UUID string */
  gchar *name;           /* friendly name, UTF-8 */
  guint roles;           /* GcRole flags */
  guint16 control_port;  /* TCP control port */
  gchar *url;            /* source's RTSP URL or NULL */
  gchar *group;          /* source's "239.0.0.11:15550" or NULL */
  gchar *current_source; /* receiver's URL or NULL */
  gchar *address;        /* the IPv4 address it announces itself at (its
                          * own view; peers check it against where the
                          * announcement came from), or NULL */
  gchar *instance;       /* this run of the agent: start time and a random
                          * part in hex, so two agents with one id (cloned
                          * boards) tell each other apart; NULL from old agents */
} GcAnnouncement;

GcAnnouncement *gc_announcement_new     (void);
void            gc_announcement_copy_to (const GcAnnouncement *src,
                                         GcAnnouncement       *dest);
GcAnnouncement *gc_announcement_copy    (const GcAnnouncement *a);
void            gc_announcement_clear   (GcAnnouncement *a);
void            gc_announcement_free    (GcAnnouncement *a);
gboolean        gc_announcement_equal   (const GcAnnouncement *a,
                                         const GcAnnouncement *b);

gchar         **gc_roles_to_strv        (guint roles);
gchar          *gc_roles_to_string      (guint roles);
guint           gc_roles_from_string    (const gchar *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcAnnouncement, gc_announcement_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GcAnnouncement, gc_announcement_clear)

G_END_DECLS
