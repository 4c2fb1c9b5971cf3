/*
 * Common includes and helpers; every .c file includes this first.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/types.h>
#include <glib.h>

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64
#define HWADDR_MAX UINT64_MAX

#define ARRAY_SIZE(x) G_N_ELEMENTS(x)

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
#define QEMU_PTR_IS_ALIGNED(p, n) QEMU_IS_ALIGNED((uintptr_t)(p), (n))

#define QEMU_PRINTF_FN(fmt, va) __attribute__((format(printf, fmt, va)))
#define QEMU_UNUSED __attribute__((unused))

static inline bool is_power_of_2(uint64_t value)
{
    return value && !(value & (value - 1));
}

/* Round up to the next power of two; 0 stays 0. */
static inline uint64_t pow2ceil(uint64_t value)
{
    if (value <= 1) {
        return value;
    }
    return 1ULL << (64 - __builtin_clzll(value - 1));
}

/* True when [a, a+alen) and [b, b+blen) intersect (lengths > 0). */
static inline bool ranges_overlap(uint64_t a, uint64_t alen,
                                  uint64_t b, uint64_t blen)
{
    return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* Little-endian loads and stores (all our guests are little-endian). */
static inline uint16_t lduw_le_p(const void *p)
{
    const uint8_t *b = p;
    return b[0] | (b[1] << 8);
}
static inline uint32_t ldl_le_p(const void *p)
{
    const uint8_t *b = p;
    return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t ldq_le_p(const void *p)
{
    return ldl_le_p(p) | ((uint64_t)ldl_le_p((const uint8_t *)p + 4) << 32);
}
static inline void stw_le_p(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v;
    b[1] = v >> 8;
}
static inline void stl_le_p(void *p, uint32_t v)
{
    stw_le_p(p, v);
    stw_le_p((uint8_t *)p + 2, v >> 16);
}
static inline void stq_le_p(void *p, uint64_t v)
{
    stl_le_p(p, v);
    stl_le_p((uint8_t *)p + 4, v >> 32);
}
/* Load/store of 1, 2, 4 or 8 bytes, little-endian. */
static inline uint64_t ldn_le_p(const void *p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: return lduw_le_p(p);
    case 4: return ldl_le_p(p);
    default: return ldq_le_p(p);
    }
}
static inline void stn_le_p(void *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = v; break;
    case 2: stw_le_p(p, v); break;
    case 4: stl_le_p(p, v); break;
    default: stq_le_p(p, v); break;
    }
}

#endif
