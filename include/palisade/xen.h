/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place that pulls in Xen's public headers for host code, with the
 * integer types they expect and the interface version we implement.
 */
#ifndef PALISADE_XEN_H
#define PALISADE_XEN_H

#include <stdint.h>

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/elfnote.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>

/* What Xen's ring macros (xen/io/ring.h) expect the OS to provide. */
#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

/* The Xen version we report to guests. */
#define PAL_XEN_MAJOR 4
#define PAL_XEN_MINOR 17

#endif
