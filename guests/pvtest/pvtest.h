/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest: a small freestanding Xen PV kernel that runs test suites. */
#ifndef PVTEST_H
#define PVTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/features.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>
#include <xen/errno.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define VIRT_BASE 0xffffffff80000000UL

extern start_info_t *start_info;
extern shared_info_t *shared_info;
extern char _text[], _end[];

/* lib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
unsigned long strtoul(const char *s, const char **end, int base);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t xorshift64(uint64_t *state);	/* state must not be 0 */

/* console.c */
void console_init(void);
void console_write(const char *s, size_t n);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_flush(void);
int console_getc(void);
evtchn_port_t console_port(void);

/* main.c */
void check(int ok, const char *what, ...) __attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) void poweroff(unsigned int reason);
const char *cmdline_get(const char *key);

/* mm.c: the guest's view of its memory */
static inline unsigned long virt_to_pfn(const void *v)
{ return ((unsigned long)v - VIRT_BASE) >> PAGE_SHIFT; }
static inline void *pfn_to_virt(unsigned long pfn)
{ return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT)); }
extern unsigned long pfn_to_mfn(unsigned long pfn);
uint64_t *pte_for(unsigned long va);
void mm_init(void);
unsigned long mm_alloc_page(void);	/* pfn of a fresh page in the mapped area */
/* Up to pages more of our RAM mapped for mm_alloc_page (whole 2 MiB at a
 * time): how many. */
unsigned long mm_grow(unsigned long pages);
/* count machine frames, each where it is, mapped for good at a new
 * address (its own 2 MiB slots); NULL if out of room. */
void *mm_vmap(const unsigned long *mfns, unsigned int count);
unsigned long mm_first_free_pfn(void);

static inline void barrier(void) { asm volatile("" ::: "memory"); }
static inline void mb(void) { asm volatile("mfence" ::: "memory"); }
static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }

#endif
