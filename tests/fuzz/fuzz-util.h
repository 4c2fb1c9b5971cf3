/*
 * Shared by the libFuzzer targets in tests/fuzz: reading the fuzzer's
 * bytes as a stream of values, a machine built once per process the way
 * the command line builds it, the main loop run dry, and the checks that
 * follow every input (no leaked fds).
 *
 * A target is one file defining LLVMFuzzerTestOneInput (and, if it needs
 * one, LLVMFuzzerInitialize) plus a line in tests/fuzz/meson.build; its
 * seeds live in tests/fuzz/corpus/TARGET/ and its dictionary, if any, in
 * tests/fuzz/TARGET.dict. scripts/fuzz runs them.
 */
#ifndef TESTS_FUZZ_UTIL_H
#define TESTS_FUZZ_UTIL_H

#include "qemu/osdep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as values; reading past its end gives zeros. */
typedef struct FuzzInput {
    const uint8_t *data;
    size_t len;
    size_t pos;
} FuzzInput;

static inline FuzzInput fuzz_input(const uint8_t *data, size_t len)
{
    return (FuzzInput) { data, len, 0 };
}

bool fuzz_input_done(const FuzzInput *in);
uint8_t fuzz_u8(FuzzInput *in);
uint16_t fuzz_u16(FuzzInput *in);
uint32_t fuzz_u32(FuzzInput *in);
uint64_t fuzz_u64(FuzzInput *in);
/* Up to @len bytes into @buf (the rest zero-filled); the bytes copied. */
size_t fuzz_bytes(FuzzInput *in, void *buf, size_t len);

/*
 * Once per process: a q35 machine with @ram_size bytes of RAM under the
 * qtest accelerator, running, with the devices of @devices (-device
 * strings, NULL-terminated) plugged in. Reports (warnings, errors) go to
 * a buffer that fuzz_reports_reset() empties, not to stderr, unless
 * FUZZ_VERBOSE is set in the environment; FUZZ_TRACE=PATTERN enables
 * those trace events (as -trace PATTERN does).
 */
void fuzz_machine_init(uint64_t ram_size, const char *const *devices);
void fuzz_reports_reset(void);
/* The reports of the current input so far. */
const char *fuzz_reports(void);

/* Dispatch what the main loop has ready (timers, fds, idles) until none. */
void fuzz_main_loop_drain(void);
/* Unplug every device a -device/device_add of this input created. */
void fuzz_remove_user_devices(void);

/* Open file descriptors of this process. */
int fuzz_count_fds(void);
/* Abort (a finding) when the process holds more fds than @baseline. */
void fuzz_check_fds(int baseline, const char *what);

/* A finding: print the message and abort, so libFuzzer keeps the input. */
void G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) fuzz_fail(const char *fmt, ...);

#endif

/*
 * What firmware does before the guest runs: every function on bus 0 (as
 * found at the first call) gets its BARs and ROM placed (memory from
 * 0xE0000000, I/O from 0xC000, each aligned to its size, ROM enabled) and
 * memory, I/O and bus mastering enabled. Deterministic, so that seeds can
 * name the addresses. fuzz_pci_place does it for one function, alone.
 */
#define FUZZ_MMIO_BASE 0xE0000000ULL
#define FUZZ_MMIO_END 0xFEC00000ULL
#define FUZZ_PIO_BASE 0xC000
#define FUZZ_PIO_END 0x10000
#define FUZZ_ECAM_BASE 0xB0000000ULL
void fuzz_pci_firmware(void);
void fuzz_pci_place(unsigned devfn);

/*
 * The machine of the targets that play the guest (qtest, kvm-exit): q35
 * with 64 MiB of RAM, a vfio-pci device on the fake backend (00:03.0,
 * MSI, MSI-X, a ROM) and the test PCI device (00:04.0), their BARs placed
 * by fuzz_pci_firmware(). fuzz_pci_machine_reset puts it back after an
 * input (a reset, the BARs placed again) and fails if fds leaked (@what
 * says after what).
 */
void fuzz_pci_machine_init(void);
void fuzz_pci_machine_reset(const char *what);
