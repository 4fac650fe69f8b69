/* SPDX-License-Identifier: GPL-2.0-only */
#include "pvtest.h"

/* rep stosb/movsb: the CPU's own fast string operations (a byte loop
 * moved 1 GB/s, and block I/O through pvtest copies every byte). */
void *memset(void *d, int c, size_t n)
{
	void *p = d;

	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dp = d;

	asm volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--, a++, b++)
		;
	return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

unsigned long strtoul(const char *s, const char **end, int base)
{
	unsigned long v = 0;
	int d;

	if (base == 0) {
		base = 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		}
	}
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = s;
	return v;
}

struct out { char *buf; size_t size, len; };

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, unsigned long v, int base, int width,
    char pad, int neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		out_c(o, pad);
	while (n)
		out_c(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	const char *s;
	int width, lng, alt;
	char pad;
	long sv;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		pad = ' ';
		alt = 0;
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		if (*fmt == '0')
			pad = '0';
		for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + *fmt - '0';
		for (lng = 0; *fmt == 'l'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
			sv = lng ? va_arg(ap, long) : va_arg(ap, int);
			out_num(&o, sv < 0 ? -(unsigned long)sv : (unsigned long)sv,
			    10, width, pad, sv < 0);
			break;
		case 'u':
			out_num(&o, lng ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned int), 10, width, pad, 0);
			break;
		case 'x':
			if (alt) {
				out_c(&o, '0');
				out_c(&o, 'x');
			}
			out_num(&o, lng ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned int), 16, width, pad, 0);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (unsigned long)va_arg(ap, void *), 16, width, pad, 0);
			break;
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				out_c(&o, *s);
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		default:
			out_c(&o, '%');
			if (*fmt)
				out_c(&o, *fmt);
			else
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Formatted, to whatever console the platform has (console_write). */
int printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	console_write(buf, n);
	return n;
}
