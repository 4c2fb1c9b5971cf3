/* Plumbing shared by the vfio-pci qtests (vfio-test-util.h). */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include "vfio-test-util.h"

void vt_init(VfioTest *t)
{
    memset(t, 0, sizeof(*t));
    t->dir = g_dir_make_tmp("vfio-test-XXXXXX", NULL);
    g_assert_nonnull(t->dir);
    t->log = g_build_filename(t->dir, "trace.log", NULL);
}

void vt_cleanup(VfioTest *t)
{
    if (g_getenv("VT_KEEP_LOG")) {
        g_test_message("kept %s", t->dir);
    } else {
        qtest_remove_tmpdir(t->dir);
    }
    g_clear_pointer(&t->log, g_free);
    g_clear_pointer(&t->dir, g_free);
}

char *vt_write_file(VfioTest *t, const char *name, const void *data,
                    size_t len)
{
    char *path = g_build_filename(t->dir, name, NULL);

    g_assert(g_file_set_contents(path, data, len, NULL));
    return path;
}

char *vt_host(VfioTest *t, const char *profile, const char *ini)
{
    g_autofree char *spec = NULL;

    if (!ini) {
        return g_strdup_printf("fake:%s", profile);
    }
    spec = vt_write_file(t, "spec.ini", ini, strlen(ini));
    return g_strdup_printf("fake:%s:%s", profile, spec);
}

void vt_launch(VfioTest *t, const char *profile, const char *ini,
               const char *devopts, const char *args)
{
    g_autofree char *host = vt_host(t, profile, ini);

    t->qts = qtest_initf("%s -device vfio-pci,host=%s,addr=%d.0%s -D %s",
                         args, host, VT_SLOT, devopts ? devopts : "",
                         t->log);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(VT_SLOT, 0));
    g_assert(t->dev);
}

void vt_start(VfioTest *t, const char *profile, const char *ini,
              const char *devopts)
{
    vt_init(t);
    vt_launch(t, profile, ini, devopts, "-m 256 " VT_TRACE_IRQ);
    pc_alloc_init(&t->alloc, t->qts);
    t->bar0 = qpci_iomap(t->dev, 0, NULL);
    qpci_device_enable(t->dev);
}

void vt_stop(VfioTest *t)
{
    qpci_device_free(t->dev);
    qpci_free(t->bus);
    g_assert_cmpint(qtest_quit(t->qts), ==, 0);
    vt_cleanup(t);
}

int vt_run(const char *args, char **err)
{
    int status;

    g_assert(qtest_run_binary(qtest_binary(), args, NULL, NULL, err,
                              &status));
    g_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Trace log */

GPtrArray *vt_log_lines(VfioTest *t, const char *event, const char *filter)
{
    g_autofree char *text = NULL;
    g_autofree char *tag = g_strdup_printf(":%s ", event);
    g_auto(GStrv) lines = NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    g_assert(g_file_get_contents(t->log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *p = strstr(*l, tag);

        if (p && (!filter || strstr(p + strlen(tag), filter))) {
            g_ptr_array_add(out, g_strdup(*l));
        }
    }
    return out;
}

unsigned vt_log_count(VfioTest *t, const char *event, const char *filter)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, event, filter);

    return lines->len;
}

unsigned vt_count_lines(const char *text, const char *needle)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    unsigned n = 0;

    for (char **l = lines; *l; l++) {
        n += strstr(*l, needle) != NULL;
    }
    return n;
}

unsigned vt_newlines(const char *text)
{
    unsigned n = 0;

    for (; *text; text++) {
        n += *text == '\n';
    }
    return n;
}

/* Interrupts */

void vt_fire(VfioTest *t, uint32_t v)
{
    qpci_io_writel(t->dev, t->bar0, VT_REG_FIRE, v);
}

void vt_fire_handled(VfioTest *t, const char *event, unsigned v)
{
    g_autofree char *filter = g_strdup_printf("vector %u ", v);
    unsigned n = vt_log_count(t, event, filter);

    vt_fire(t, v);
    g_assert(vt_wait_log(t, event, filter, n + 1));
}

uint64_t vt_doorbell(VfioTest *t)
{
    uint64_t addr = guest_alloc(&t->alloc, 4);

    qtest_writel(t->qts, addr, 0);
    return addr;
}

bool vt_wait_log(VfioTest *t, const char *event, const char *filter,
                 unsigned n)
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

bool vt_wait_readl(VfioTest *t, uint64_t addr, uint32_t val)
{
    for (int us = 0; us < VT_WAIT_US; us += 1000) {
        if (qtest_readl(t->qts, addr) == val) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

bool vt_wait_irq(VfioTest *t, int num, bool level)
{
    for (int us = 0; us < VT_WAIT_US; us += 1000) {
        if (qtest_get_irq(t->qts, num) == level) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static unsigned word_after(const char *line, const char *word)
{
    g_autofree char *key = g_strdup_printf(" %s ", word);
    const char *p = strstr(line, key);

    g_assert_nonnull(p);
    return strtoul(p + strlen(key), NULL, 0);
}

GArray *vt_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, "fake_vfio_set_irqs", NULL);
    GArray *calls = g_array_new(false, true, sizeof(VtSetIrqs));

    for (guint i = 0; i < lines->len; i++) {
        const char *l = g_ptr_array_index(lines, i);
        VtSetIrqs c = {
            .index = word_after(l, "index"),
            .flags = word_after(l, "flags"),
            .start = word_after(l, "start"),
            .count = word_after(l, "count"),
        };

        if (c.index == index) {
            g_array_append_val(calls, c);
        }
    }
    return calls;
}

unsigned vt_nr_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GArray) calls = vt_set_irqs(t, index);

    return calls->len;
}

VtSetIrqs vt_last_set_irqs(VfioTest *t, unsigned index)
{
    g_autoptr(GArray) calls = vt_set_irqs(t, index);

    g_assert_cmpuint(calls->len, >, 0);
    return g_array_index(calls, VtSetIrqs, calls->len - 1);
}
