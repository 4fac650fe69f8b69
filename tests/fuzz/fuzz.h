/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz harnesses: each defines LLVMFuzzerTestOneInput. Built with clang's
 * libFuzzer by scripts/fuzz; built with replay.c's main() for make check,
 * which runs the seeds and a fixed number of deterministic mutations of
 * them under the sanitizers.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
