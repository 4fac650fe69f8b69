/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Instance state at rest: "PVTS", a version, a random 96-bit IV, the
 * 128-bit GCM tag, then the ciphertext (OpenSSL's AES-256-GCM). The
 * instance's name is the associated data, so one domain's state cannot be
 * handed to another's instance, and any changed byte fails the tag.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtpm.h"

#define MAGIC "PVTS"
#define IV_LEN 12
#define TAG_LEN 16
#define HDR_LEN (4 + 4 + IV_LEN + TAG_LEN)

int vtpm_key_load(const char *dir, uint8_t key[VTPM_KEY_LEN])
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/vtpm.key", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, key, VTPM_KEY_LEN);
		close(fd);
		return n == VTPM_KEY_LEN ? 0 : -EINVAL;
	}
	if (errno != ENOENT)
		return -errno;
	if (RAND_bytes(key, VTPM_KEY_LEN) != 1)
		return -EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, key, VTPM_KEY_LEN);
	if (fsync(fd) < 0 || n != VTPM_KEY_LEN) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

int vtpm_seal_write(const char *path, const uint8_t key[VTPM_KEY_LEN], const char *name,
    const uint8_t *data, size_t len)
{
	char tmp[PATH_MAX];
	uint8_t *out = malloc(HDR_LEN + len + 16);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int k = 0, fin = 0, fd, ret = -EIO;
	uint32_t ver = 1;

	if (out == NULL || c == NULL || len > VTPM_MAX_STATE)
		goto out;
	memcpy(out, MAGIC, 4);
	memcpy(out + 4, &ver, 4);
	if (RAND_bytes(out + 8, IV_LEN) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, out + 8) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &k, (const uint8_t *)name, (int)strlen(name)) != 1 ||
	    EVP_EncryptUpdate(c, out + HDR_LEN, &k, data, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, out + HDR_LEN + k, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + 8 + IV_LEN) != 1)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (write(fd, out, HDR_LEN + (size_t)k + (size_t)fin) != (ssize_t)(HDR_LEN + k + fin) ||
	    fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		ret = errno ? -errno : -EIO;
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	free(out);
	return ret;
}

int vtpm_seal_read(const char *path, const uint8_t key[VTPM_KEY_LEN], const char *name,
    uint8_t **data, size_t *len)
{
	EVP_CIPHER_CTX *c = NULL;
	uint8_t *in = NULL, *out = NULL;
	struct stat st;
	int fd, k = 0, fin = 0, ret = -EBADMSG;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (fstat(fd, &st) < 0 || st.st_size < HDR_LEN ||
	    st.st_size > (off_t)(HDR_LEN + VTPM_MAX_STATE))
		goto out;
	in = malloc((size_t)st.st_size);
	out = malloc((size_t)st.st_size);
	c = EVP_CIPHER_CTX_new();
	if (in == NULL || out == NULL || c == NULL ||
	    read(fd, in, (size_t)st.st_size) != st.st_size || memcmp(in, MAGIC, 4) != 0)
		goto out;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, in + 8) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &k, (const uint8_t *)name, (int)strlen(name)) != 1 ||
	    EVP_DecryptUpdate(c, out, &k, in + HDR_LEN, (int)(st.st_size - HDR_LEN)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, in + 8 + IV_LEN) != 1 ||
	    EVP_DecryptFinal_ex(c, out + k, &fin) != 1)
		goto out;		/* the tag does not match: tampered, or not ours */
	*data = out;
	*len = (size_t)k + (size_t)fin;
	out = NULL;
	ret = 0;
out:
	close(fd);
	EVP_CIPHER_CTX_free(c);
	free(in);
	free(out);
	return ret;
}
