/*
 * Synthetic bzImages for tests: a setup header as Debian 12's kernel has
 * (protocol 2.15, relocatable, 64-bit, pref_address 16 MiB, 2 MiB
 * alignment, init_size 4 MiB) and a payload whose bytes a test can
 * recompute (fake_bzimage_payload_byte).
 */
#ifndef TESTS_FAKE_BZIMAGE_H
#define TESTS_FAKE_BZIMAGE_H

#include "qemu/osdep.h"

#define FAKE_BZIMAGE_FILE_JUNK 0xcc     /* setup bytes outside the header */

/* Payload byte @i of kernel flavour @seed. */
uint8_t fake_bzimage_payload_byte(size_t i, unsigned seed);
/* (@setup_sects + 1) sectors of setup, then @payload bytes. */
GByteArray *fake_bzimage(unsigned setup_sects, size_t payload, unsigned seed);

#endif
