/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palvtpmd: a TPM 2.0 (libtpms) for every domain that asks, over Xen's
 * tpmif protocol (xen/io/tpmif.h). The manager watches the store for
 * vtpm devices; each instance is a process of its own (libtpms holds one
 * TPM per process) serving one domain's shared page. Instance state is
 * sealed (AES-256-GCM, the instance's name as associated data) with a key
 * only the manager's state directory holds.
 */
#ifndef PALISADE_VTPM_H
#define PALISADE_VTPM_H

#include <stddef.h>
#include <stdint.h>

#define VTPM_KEY_LEN	32
#define VTPM_MAX_STATE	(4u << 20)

/* --- sealed state (seal.c) ---------------------------------------------------- */

/* The manager's key: read from dir/vtpm.key, made (0600) if missing. */
int vtpm_key_load(const char *dir, uint8_t key[VTPM_KEY_LEN]);
/* Write len bytes of data to path, sealed for name (atomically). */
int vtpm_seal_write(const char *path, const uint8_t key[VTPM_KEY_LEN], const char *name,
    const uint8_t *data, size_t len);
/* The data sealed at path for name (malloc'ed, *len bytes): 0; -ENOENT if
 * there is none; -EBADMSG if it was tampered with or is another's. */
int vtpm_seal_read(const char *path, const uint8_t key[VTPM_KEY_LEN], const char *name,
    uint8_t **data, size_t *len);

/* --- commands (cmd.c) ---------------------------------------------------------- */

/* A TPM 2.0 error response (rc) for a command we will not pass on. */
size_t vtpm_error_response(uint8_t *out, uint32_t rc);
/* A command's own size field agrees with its length, and it has a header. */
int vtpm_command_ok(const uint8_t *cmd, size_t len, uint32_t *rc);

#endif
