/* SHA-256 as specified in FIPS 180-4: 64-byte blocks, a 64-round
 * compression over eight 32-bit words, big-endian length padding.  Small
 * and dependency-free; the manifest uses it to fingerprint scenario files. */
#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (FIPS 180-4, section 4.2.2). */
static const uint32_t round_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^
			      (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^
			      (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t sum1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t choose = (e & f) ^ (~e & g);
		uint32_t t1 = k + sum1 + choose + round_k[t] + w[t];
		uint32_t sum0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = sum0 + majority;
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void coh_sha256_init(coh_sha256 *ctx)
{
	/* Fractional parts of the square roots of the first 8 primes. */
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(ctx->h, initial, sizeof initial);
	ctx->bytes = 0;
	ctx->used = 0;
}

void coh_sha256_update(coh_sha256 *ctx, const void *data, size_t size)
{
	const unsigned char *p = data;
	ctx->bytes += size;
	if (ctx->used > 0) {
		size_t take = 64 - ctx->used;
		if (take > size)
			take = size;
		memcpy(ctx->block + ctx->used, p, take);
		ctx->used += take;
		p += take;
		size -= take;
		if (ctx->used < 64)
			return;
		compress(ctx->h, ctx->block);
		ctx->used = 0;
	}
	for (; size >= 64; p += 64, size -= 64)
		compress(ctx->h, p);
	memcpy(ctx->block, p, size);
	ctx->used = size;
}

void coh_sha256_final(coh_sha256 *ctx, unsigned char digest[32])
{
	uint64_t bits = ctx->bytes * 8;
	/* A 1 bit, zeros up to 56 bytes into a block, then the length. */
	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 56) {
		memset(ctx->block + ctx->used, 0, 64 - ctx->used);
		compress(ctx->h, ctx->block);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 56 - ctx->used);
	for (int i = 0; i < 8; i++)
		ctx->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(ctx->h, ctx->block);
	for (int i = 0; i < 8; i++) {
		digest[4 * i] = (unsigned char)(ctx->h[i] >> 24);
		digest[4 * i + 1] = (unsigned char)(ctx->h[i] >> 16);
		digest[4 * i + 2] = (unsigned char)(ctx->h[i] >> 8);
		digest[4 * i + 3] = (unsigned char)ctx->h[i];
	}
}

void coh_sha256_hex(char hex[65], const unsigned char digest[32])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

int coh_sha256_file(char hex[65], const char *path, coh_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return coh_error_set(err, COH_EIO, path, 0, "cannot read: %s",
				     strerror(errno));
	coh_sha256 ctx;
	unsigned char buf[8192];
	size_t n;
	coh_sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		coh_sha256_update(&ctx, buf, n);
	int failed = ferror(fp);
	fclose(fp);
	if (failed)
		return coh_error_set(err, COH_EIO, path, 0,
				     "cannot read: read error");
	unsigned char digest[32];
	coh_sha256_final(&ctx, digest);
	coh_sha256_hex(hex, digest);
	return 0;
}
