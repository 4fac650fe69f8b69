/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A harness's main() without libFuzzer: NAME [-n COUNT] [-s SEED] FILE...
 * runs every FILE, then COUNT inputs made from them by a seeded PRNG (bit
 * flips, byte overwrites with boundary values, truncation, duplication,
 * splicing). Deterministic: the same arguments give the same inputs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_INPUT (1 << 20)

struct seed {
	uint8_t *data;
	size_t size;
};

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int load(const char *path, struct seed *s)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	s->data = malloc(MAX_INPUT);
	s->size = s->data != NULL ? fread(s->data, 1, MAX_INPUT, f) : 0;
	fclose(f);
	return s->data != NULL ? 0 : -1;
}

static size_t mutate(uint8_t *buf, size_t len, const struct seed *other)
{
	static const uint8_t magic[] = { 0, 1, 0x7f, 0x80, 0xff, '\n', '"', '[' };
	unsigned int i, n = 1 + next() % 8;

	for (i = 0; i < n; i++) {
		size_t at = len ? next() % len : 0;

		switch (next() % 6) {
		case 0:
			if (len)
				buf[at] ^= 1u << (next() % 8);
			break;
		case 1:
			if (len)
				buf[at] = magic[next() % sizeof(magic)];
			break;
		case 2:
			if (len)
				buf[at] = (uint8_t)next();
			break;
		case 3:
			len = at;
			break;
		case 4: {
			size_t n2 = len - at < 64 ? len - at : 64;

			if (len + n2 <= MAX_INPUT) {
				memmove(buf + at + n2, buf + at, len - at);
				len += n2;
			}
			break;
		}
		default:
			if (other->size && len) {
				size_t from = next() % other->size;
				size_t n2 = next() % (other->size - from) + 1;

				if (at + n2 > MAX_INPUT)
					n2 = MAX_INPUT - at;
				memcpy(buf + at, other->data + from, n2);
				if (at + n2 > len)
					len = at + n2;
			}
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	struct seed *seeds;
	unsigned long count = 1000, i;
	unsigned int nseeds = 0;
	uint8_t *buf;
	int c;

	rng = 0x9e3779b97f4a7c15ull;
	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (c == 's')
			rng = strtoull(optarg, NULL, 0) | 1;
		else
			return fprintf(stderr, "usage: %s [-n COUNT] [-s SEED] FILE...\n", argv[0]), 2;
	}
	seeds = calloc((size_t)(argc - optind) + 1, sizeof(*seeds));
	buf = malloc(MAX_INPUT);
	if (seeds == NULL || buf == NULL)
		return 1;
	for (; optind < argc; optind++) {
		if (load(argv[optind], &seeds[nseeds]) < 0)
			return fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[optind]), 2;
		LLVMFuzzerTestOneInput(seeds[nseeds].data, seeds[nseeds].size);
		nseeds++;
	}
	if (nseeds == 0) {			/* no seeds: start from zeros */
		seeds[0].data = calloc(1, 4096);
		seeds[0].size = 4096;
		nseeds = 1;
	}
	for (i = 0; i < count; i++) {
		const struct seed *s = &seeds[next() % nseeds];
		size_t len = s->size;

		memcpy(buf, s->data, len);
		len = mutate(buf, len, &seeds[next() % nseeds]);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("%s: %u seeds and %lu mutated inputs, no crash\n", argv[0], nseeds, count);
	for (i = 0; i < nseeds; i++)
		free(seeds[i].data);
	free(seeds);
	free(buf);
	return 0;
}
