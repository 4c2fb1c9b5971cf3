/*
 * Plumbing shared by the vfio-pci qtests (vfio-bars, -dma, -rom, -msi,
 * -msix and -intx-test): qvfio started with one vfio-pci device on the
 * fake backend (tests/vfio/fake-vfio.h) at 00:03.0; a temporary directory
 * for its trace log, the fake's spec and any file a test writes; counts
 * of trace log lines; runs of qvfio that end at realize; and, for the
 * interrupt tests, waits for what the main loop does after an eventfd
 * fired (a qtest reply can come before that).
 */
#ifndef VFIO_TEST_UTIL_H
#define VFIO_TEST_UTIL_H

#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "libqtest.h"

#define VT_SLOT 3
#define VT_WAIT_US (10 * 1000 * 1000)
/* The fake's BAR0 registers (tests/vfio/fake-vfio.h). */
#define VT_REG_ID 0x00
#define VT_REG_SCRATCH 0x04
#define VT_REG_FIRE 0x08
#define VT_REG_INTX 0x0c
#define VT_FAKE_ID 0xfa4e0001       /* what VT_REG_ID reads by default */

/* The trace events the interrupt tests look at (vt_start). */
#define VT_TRACE_IRQ "-trace 'vfio_msi*' -trace 'vfio_intx*' " \
                     "-trace vfio_bar_mmaps_enabled -trace vfio_region_read " \
                     "-trace 'fake_vfio_set_irqs*' -trace 'fake_vfio_irq_*' " \
                     "-trace fake_vfio_intx_unmask " \
                     "-trace fake_vfio_msix_table_access -trace pci_msi_drop"

typedef struct VfioTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;                   /* vt_start only */
    QGuestAllocator alloc;          /* vt_start only */
    char *dir;                      /* the test's temporary files */
    char *log;                      /* the trace log, in dir */
} VfioTest;

/* One SET_IRQS as the fake saw it. */
typedef struct VtSetIrqs {
    unsigned index, flags, start, count;
} VtSetIrqs;

/* A fresh temporary directory, for the log and whatever the test writes. */
void vt_init(VfioTest *t);
/* Remove the directory and all in it (kept if VT_KEEP_LOG is set). */
void vt_cleanup(VfioTest *t);
/* Write @len bytes of @data to the file @name in the directory: its path. */
char *vt_write_file(VfioTest *t, const char *name, const void *data,
                    size_t len);
/*
 * The host= for the fake: "fake:PROFILE", or with @ini (the spec's
 * overrides) written to spec.ini, "fake:PROFILE:/path/spec.ini".
 */
char *vt_host(VfioTest *t, const char *profile, const char *ini);

/*
 * Start qvfio with @args, "-device vfio-pci,host=<vt_host>,addr=3.0"
 * followed by @devopts (",prop=value..." or NULL) and its trace log in the
 * directory; find the device. The directory must be set up (vt_init).
 */
void vt_launch(VfioTest *t, const char *profile, const char *ini,
               const char *devopts, const char *args);
/*
 * vt_init and vt_launch with 256 MiB and VT_TRACE_IRQ, then a guest
 * allocator, BAR0 mapped and the device enabled.
 */
void vt_start(VfioTest *t, const char *profile, const char *ini,
              const char *devopts);
/* Quit qvfio (it must exit 0) and clean up. */
void vt_stop(VfioTest *t);

/* Run the test binary with @args to its exit: the status, @err stderr. */
int vt_run(const char *args, char **err);

/* Trace lines of @event (with @filter in its arguments, if given). */
GPtrArray *vt_log_lines(VfioTest *t, const char *event, const char *filter);
unsigned vt_log_count(VfioTest *t, const char *event, const char *filter);
/* Lines of @text containing @needle; newline characters in @text. */
unsigned vt_count_lines(const char *text, const char *needle);
unsigned vt_newlines(const char *text);

/* The device fires vector @v of whatever interrupt type is on. */
void vt_fire(VfioTest *t, uint32_t v);
/*
 * Fire @v and wait until the model has handled it, delivered or not: one
 * more @event trace line (vfio_msi_interrupt, vfio_msix_interrupt) for
 * that vector.
 */
void vt_fire_handled(VfioTest *t, const char *event, unsigned v);
/* A fresh, zeroed 4-byte doorbell in guest RAM. */
uint64_t vt_doorbell(VfioTest *t);
/* Wait until the log has at least @n lines of @event (main-loop work). */
bool vt_wait_log(VfioTest *t, const char *event, const char *filter,
                 unsigned n);
bool vt_wait_readl(VfioTest *t, uint64_t addr, uint32_t val);
bool vt_wait_irq(VfioTest *t, int num, bool level);

/* Every SET_IRQS the fake saw on @index, oldest first. */
GArray *vt_set_irqs(VfioTest *t, unsigned index);
unsigned vt_nr_set_irqs(VfioTest *t, unsigned index);
VtSetIrqs vt_last_set_irqs(VfioTest *t, unsigned index);

#endif
