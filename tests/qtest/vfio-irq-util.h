/*
 * Helpers shared by the vfio-pci interrupt qtests (vfio-msi-test,
 * vfio-msix-test, vfio-intx-test): a vfio-pci device on the fake backend
 * at 00:03.0, its trace log, and waits for what the main loop does after
 * an eventfd fired (a qtest reply can come before that).
 */
#ifndef VFIO_IRQ_UTIL_H
#define VFIO_IRQ_UTIL_H

#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "libqtest.h"

#define VT_SLOT 3
#define VT_WAIT_US (10 * 1000 * 1000)
/* The fake's BAR0 registers (tests/vfio/fake-vfio.h). */
#define VT_REG_ID 0x00
#define VT_REG_FIRE 0x08
#define VT_REG_INTX 0x0c

#define VT_TRACE "-trace 'vfio_msi*' -trace 'vfio_intx*' " \
                 "-trace vfio_bar_mmaps_enabled -trace vfio_region_read " \
                 "-trace 'fake_vfio_set_irqs*' -trace 'fake_vfio_irq_*' " \
                 "-trace fake_vfio_intx_unmask " \
                 "-trace fake_vfio_msix_table_access -trace pci_msi_drop"

typedef struct VfioTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;
    QGuestAllocator alloc;
    char *log;
    char *spec;
} VfioTest;

/* One SET_IRQS as the fake saw it. */
typedef struct VtSetIrqs {
    unsigned index, flags, start, count;
} VtSetIrqs;

static inline char *vt_tmpfile(const char *tmpl, const char *contents)
{
    GError *gerr = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, &gerr);

    g_assert_no_error(gerr);
    close(fd);
    if (contents) {
        g_assert(g_file_set_contents(path, contents, -1, NULL));
    }
    return path;
}

/* @ini: the fake's spec overrides (NULL: the profile as is). */
static inline void vt_start(VfioTest *t, const char *profile, const char *ini,
                            const char *devopts)
{
    g_autofree char *host = NULL;

    memset(t, 0, sizeof(*t));
    t->log = vt_tmpfile("vfio-irq-XXXXXX.log", NULL);
    if (ini) {
        t->spec = vt_tmpfile("vfio-irq-XXXXXX.ini", ini);
        host = g_strdup_printf("fake:%s:%s", profile, t->spec);
    } else {
        host = g_strdup_printf("fake:%s", profile);
    }
    t->qts = qtest_initf("-m 256 -device vfio-pci,host=%s,addr=%d.0%s "
                         VT_TRACE " -D %s", host, VT_SLOT,
                         devopts ? devopts : "", t->log);
    pc_alloc_init(&t->alloc, t->qts);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(VT_SLOT, 0));
    g_assert(t->dev);
    t->bar0 = qpci_iomap(t->dev, 0, NULL);
    qpci_device_enable(t->dev);
}

static inline void vt_stop(VfioTest *t)
{
    qpci_device_free(t->dev);
    qpci_free(t->bus);
    g_assert_cmpint(qtest_quit(t->qts), ==, 0);
    if (!g_getenv("VT_KEEP_LOG")) {
        unlink(t->log);
    }
    g_free(t->log);
    if (t->spec) {
        unlink(t->spec);
        g_free(t->spec);
    }
}

/* The device fires vector @v of whatever interrupt type is on. */
static inline void vt_fire(VfioTest *t, uint32_t v)
{
    qpci_io_writel(t->dev, t->bar0, VT_REG_FIRE, v);
}

/* A fresh, zeroed 4-byte doorbell in guest RAM. */
static inline uint64_t vt_doorbell(VfioTest *t)
{
    uint64_t addr = guest_alloc(&t->alloc, 4);

    qtest_writel(t->qts, addr, 0);
    return addr;
}

/* Trace lines of @event (containing @filter, if given). */
static inline GPtrArray *vt_log_lines(VfioTest *t, const char *event,
                                      const char *filter)
{
    g_autofree char *text = NULL;
    g_autofree char *needle = g_strdup_printf(":%s ", event);
    g_auto(GStrv) lines = NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    g_assert(g_file_get_contents(t->log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (strstr(*l, needle) && (!filter || strstr(*l, filter))) {
            g_ptr_array_add(out, g_strdup(*l));
        }
    }
    return out;
}

static inline unsigned vt_log_count(VfioTest *t, const char *event,
                                    const char *filter)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, event, filter);

    return lines->len;
}

/* Wait until the log has at least @n lines of @event (main-loop work). */
static inline bool vt_wait_log(VfioTest *t, const char *event,
                               const char *filter, unsigned n)
{
    for (int us = 0; us < VT_WAIT_US; us += 1000) {
        if (vt_log_count(t, event, filter) >= n) {
            return true;
        }
        /* a round trip lets the main loop dispatch pending eventfds */
        qtest_readl(t->qts, 0);
        g_usleep(1000);
    }
    return false;
}

static inline bool vt_wait_readl(VfioTest *t, uint64_t addr, uint32_t val)
{
    for (int us = 0; us < VT_WAIT_US; us += 1000) {
        if (qtest_readl(t->qts, addr) == val) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static inline bool vt_wait_irq(VfioTest *t, int num, bool level)
{
    for (int us = 0; us < VT_WAIT_US; us += 1000) {
        if (qtest_get_irq(t->qts, num) == level) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static inline unsigned vt_word_after(const char *line, const char *word)
{
    g_autofree char *key = g_strdup_printf(" %s ", word);
    const char *p = strstr(line, key);

    g_assert_nonnull(p);
    return strtoul(p + strlen(key), NULL, 0);
}

/* Every SET_IRQS the fake saw on @index, oldest first. */
static inline GArray *vt_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, "fake_vfio_set_irqs", NULL);
    GArray *calls = g_array_new(false, true, sizeof(VtSetIrqs));

    for (guint i = 0; i < lines->len; i++) {
        const char *l = g_ptr_array_index(lines, i);
        VtSetIrqs c = {
            .index = vt_word_after(l, "index"),
            .flags = vt_word_after(l, "flags"),
            .start = vt_word_after(l, "start"),
            .count = vt_word_after(l, "count"),
        };

        if (c.index == index) {
            g_array_append_val(calls, c);
        }
    }
    return calls;
}

static inline unsigned vt_nr_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GArray) calls = vt_set_irqs(t, index);

    return calls->len;
}

static inline VtSetIrqs vt_last_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GArray) calls = vt_set_irqs(t, index);

    g_assert_cmpuint(calls->len, >, 0);
    return g_array_index(calls, VtSetIrqs, calls->len - 1);
}

#endif
