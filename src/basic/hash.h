/* SPDX-License-Identifier: Apache-2.0 */
/* The hash of the hash tables that hold what an input names (process.env,
 * CDI device names, TOML keys). Security: an unkeyed hash (FNV) lets an input
 * pick names that all land in one slot: 100000 crafted NVIDIA_* variables
 * made the hook spend 19 s probing instead of 0.04 s, quadratic in their
 * number. SipHash-1-3 (as Python and Rust hash their tables) with a key drawn
 * at random for each process: names cannot be crafted to collide without the
 * key. Header-only: the modules that use it need no other link. */
#ifndef NVCT_HASH_H
#define NVCT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t nvct_hash_rotl(uint64_t x, int b) {
        return (x << b) | (x >> (64 - b));
}

static inline void nvct_hash_round(uint64_t v[4]) {
        v[0] += v[1];
        v[1] = nvct_hash_rotl(v[1], 13);
        v[1] ^= v[0];
        v[0] = nvct_hash_rotl(v[0], 32);
        v[2] += v[3];
        v[3] = nvct_hash_rotl(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = nvct_hash_rotl(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = nvct_hash_rotl(v[1], 17);
        v[1] ^= v[2];
        v[2] = nvct_hash_rotl(v[2], 32);
}

/* SipHash-c-d of `len` bytes under the 128-bit key k0, k1 (c and d: the
 * compression and finalization rounds; 2-4 is the paper's, whose test
 * vectors check this code). Words are read in the machine's order: a value
 * only has to agree within one process. */
static inline uint64_t nvct_siphash(const void *data, size_t len, uint64_t k0, uint64_t k1,
                                    int c_rounds, int d_rounds) {
        const unsigned char *in = data;
        uint64_t v[4] = {
                UINT64_C(0x736f6d6570736575) ^ k0,
                UINT64_C(0x646f72616e646f6d) ^ k1,
                UINT64_C(0x6c7967656e657261) ^ k0,
                UINT64_C(0x7465646279746573) ^ k1,
        };
        size_t whole = len - len % 8;
        for (size_t i = 0; i < whole; i += 8) {
                uint64_t m;
                memcpy(&m, in + i, 8);
                v[3] ^= m;
                for (int r = 0; r < c_rounds; r++)
                        nvct_hash_round(v);
                v[0] ^= m;
        }
        uint64_t last = (uint64_t)len << 56;
        for (size_t i = 0; i < len % 8; i++)
                last |= (uint64_t)in[whole + i] << (8 * i);
        v[3] ^= last;
        for (int r = 0; r < c_rounds; r++)
                nvct_hash_round(v);
        v[0] ^= last;
        v[2] ^= 0xff;
        for (int r = 0; r < d_rounds; r++)
                nvct_hash_round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The process's key: getrandom(2), without blocking (the hook may run before
 * the entropy pool is ready at boot); failing that, the time, pid and where
 * the stack is (ASLR), which an input cannot predict either. */
static inline const uint64_t *nvct_hash_key(void) {
        static uint64_t key[2];
        static int ready;
        if (!ready) {
                if (getrandom(key, sizeof(key), GRND_NONBLOCK) != (ssize_t)sizeof(key)) {
                        struct timespec ts = { 0 };
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        uint64_t seed[2] = { (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32,
                                             (uint64_t)getpid() ^ (uint64_t)(uintptr_t)&ts };
                        key[0] = nvct_siphash(seed, sizeof(seed), 0, 0, 1, 3);
                        key[1] = nvct_siphash(seed, sizeof(seed), 1, 0, 1, 3);
                }
                ready = 1;
        }
        return key;
}

static inline uint64_t nvct_hash(const void *data, size_t len) {
        const uint64_t *key = nvct_hash_key();
        return nvct_siphash(data, len, key[0], key[1], 1, 3);
}

#endif
