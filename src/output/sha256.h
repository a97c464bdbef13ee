/* SHA-256 (FIPS 180-4), for recording which scenario file produced a run.
 * Private to the output module, the sweep's manifest and their tests. */
#ifndef COH_OUTPUT_SHA256_H
#define COH_OUTPUT_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include "cohesim/error.h"

typedef struct coh_sha256 {
	uint32_t h[8];           /* running hash */
	uint64_t bytes;          /* message length so far */
	unsigned char block[64]; /* pending partial block */
	size_t used;             /* bytes in block */
} coh_sha256;

void coh_sha256_init(coh_sha256 *ctx);
void coh_sha256_update(coh_sha256 *ctx, const void *data, size_t size);
/* Pads, finishes and writes the 32-byte digest; ctx must be re-initialised
 * before reuse. */
void coh_sha256_final(coh_sha256 *ctx, unsigned char digest[32]);

/* Lower-case hexadecimal of a digest, NUL-terminated (65 bytes). */
void coh_sha256_hex(char hex[65], const unsigned char digest[32]);

/* Hashes the file at path into hex; COH_EIO with path and reason if it
 * cannot be read. */
int coh_sha256_file(char hex[65], const char *path, coh_error *err);

#endif
