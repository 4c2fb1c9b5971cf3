/*
 * Unit tests for the pure interrupt decisions of vfio-pci: which SET_IRQS
 * calls bring the host's MSI-X vectors in line with the guest's (with and
 * without NORESIZE), the MSI count fallback, and the MSI-X layout checks.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vectors.h"

#define NR 16

typedef struct PlanCase {
    bool noresize;
    unsigned host_vectors;
    const char *want;           /* vector numbers, e.g. "0 3" */
    const char *have;
} PlanCase;

static void parse_set(const char *list, bool *set)
{
    g_auto(GStrv) words = g_strsplit(list, " ", -1);

    memset(set, 0, NR * sizeof(bool));
    for (unsigned i = 0; words[i]; i++) {
        if (*words[i]) {
            set[atoi(words[i])] = true;
        }
    }
}

/* "R start+count ..." with a leading "D " when the index is re-enabled. */
static char *plan_string(const PlanCase *c, unsigned *host_vectors)
{
    bool want[NR], have[NR];
    VFIOMSIXPlan plan;
    GString *s = g_string_new(NULL);

    parse_set(c->want, want);
    parse_set(c->have, have);
    vfio_msix_plan(c->noresize, c->host_vectors, want, have, NR, &plan);
    if (plan.reenable) {
        g_string_append(s, "D");
    }
    for (unsigned i = 0; i < plan.nr_ranges; i++) {
        g_string_append_printf(s, "%s%u+%u", s->len ? " " : "",
                               plan.ranges[i].start, plan.ranges[i].count);
    }
    *host_vectors = plan.host_vectors;
    vfio_msix_plan_clear(&plan);
    return g_string_free(s, false);
}

static void check_plan(PlanCase c, const char *expect, unsigned host_after)
{
    unsigned host;
    g_autofree char *got = plan_string(&c, &host);

    g_assert_cmpstr(got, ==, expect);
    g_assert_cmpuint(host, ==, host_after);
}

/* Dynamic MSI-X: one call per newly used vector, never a re-enable. */
static void test_plan_dynamic(void)
{
    /* Guest enables MSI-X with every vector masked: on, with no vector. */
    check_plan((PlanCase) { false, 0, "", "" }, "0+1", 1);
    /* Vectors already in use at enable: one call covering them. */
    check_plan((PlanCase) { false, 0, "0 3", "" }, "0+4", 4);
    /* Then one call per newly used vector, wherever it is. */
    check_plan((PlanCase) { false, 1, "0", "" }, "0+1", 1);
    check_plan((PlanCase) { false, 1, "0 5", "0" }, "5+1", 6);
    check_plan((PlanCase) { false, 6, "0 5 2", "0 5" }, "2+1", 6);
    /* Neighbours go together, unchanged vectors are never set again. */
    check_plan((PlanCase) { false, 8, "0 1 2 3 6", "0" }, "1+3 6+1", 8);
    /* Nothing to do. */
    check_plan((PlanCase) { false, 4, "1 2", "1 2" }, "", 4);
    check_plan((PlanCase) { false, 4, "", "" }, "", 4);
    /* A vector the guest dropped loses its eventfd. */
    check_plan((PlanCase) { false, 4, "0", "0 1" }, "1+1", 4);
}

/* NORESIZE: growth re-enables with the full count, the rest is in place. */
static void test_plan_noresize(void)
{
    check_plan((PlanCase) { true, 0, "", "" }, "0+1", 1);
    check_plan((PlanCase) { true, 0, "2", "" }, "0+3", 3);
    /* Inside the host's range: in place. */
    check_plan((PlanCase) { true, 1, "0", "" }, "0+1", 1);
    check_plan((PlanCase) { true, 4, "0 2", "0" }, "2+1", 4);
    /* Beyond it: disable, then enable v+1 with every in-use vector. */
    check_plan((PlanCase) { true, 1, "0 1", "0" }, "D 0+2", 2);
    check_plan((PlanCase) { true, 2, "0 1 7", "0 1" }, "D 0+8", 8);
    check_plan((PlanCase) { true, 2, "5", "" }, "D 0+6", 6);
    /* Shrinking never re-enables. */
    check_plan((PlanCase) { true, 8, "0", "0 7" }, "7+1", 8);
}

/* One by one in ascending order: the call counts the design promises. */
static void test_plan_one_by_one(void)
{
    for (int noresize = 0; noresize <= 1; noresize++) {
        bool want[NR] = { false }, have[NR] = { false };
        unsigned host = 0, calls = 0, reenables = 0;
        VFIOMSIXPlan plan;

        for (int v = -1; v < 8; v++) {
            if (v >= 0) {
                want[v] = true;
            }
            vfio_msix_plan(noresize, host, want, have, NR, &plan);
            calls += plan.nr_ranges + plan.reenable;
            reenables += plan.reenable;
            memcpy(have, want, sizeof(have));
            host = plan.host_vectors;
            vfio_msix_plan_clear(&plan);
        }
        g_assert_cmpuint(host, ==, 8);
        if (noresize) {
            /* enable, set 0 in place, then disable+enable for 1..7 */
            g_assert_cmpuint(reenables, ==, 7);
            g_assert_cmpuint(calls, ==, 2 + 2 * 7);
        } else {
            /* enable with no vector, then one per vector */
            g_assert_cmpuint(reenables, ==, 0);
            g_assert_cmpuint(calls, ==, 1 + 8);
        }
    }
}

static void test_msi_retry(void)
{
    g_assert_cmpuint(vfio_msi_retry_count(8, 4), ==, 4);
    g_assert_cmpuint(vfio_msi_retry_count(8, 1), ==, 1);
    g_assert_cmpuint(vfio_msi_retry_count(8, -EINVAL), ==, 0);
    g_assert_cmpuint(vfio_msi_retry_count(8, -ENOSPC), ==, 0);
    /* An offer that is not smaller would loop: give up. */
    g_assert_cmpuint(vfio_msi_retry_count(8, 8), ==, 0);
    g_assert_cmpuint(vfio_msi_retry_count(8, 16), ==, 0);
    g_assert_cmpuint(vfio_msi_retry_count(1, 0), ==, 0);
}

static bool layout_ok(VFIOMSIXInfo m, uint64_t table_size, uint64_t pba_size,
                      const char *expect_error)
{
    Error *err = NULL;
    bool ok = vfio_msix_layout_check("fake:msix", &m, table_size, pba_size,
                                     &err);

    g_assert(ok == !err);
    if (err) {
        g_assert_nonnull(strstr(error_get_pretty(err), "vfio fake:msix: "));
        if (expect_error) {
            g_assert_nonnull(strstr(error_get_pretty(err), expect_error));
        }
        error_free(err);
    }
    return ok;
}

static void test_msix_layout(void)
{
    VFIOMSIXInfo m = {
        .table_bar = 1, .pba_bar = 1, .entries = 64,
        .table_offset = 0, .pba_offset = 0x800, .cap = 0xb0,
    };

    g_assert(layout_ok(m, 0x1000, 0x1000, NULL));
    /* Exactly at the end of the BAR is fine, one byte more is not. */
    m.pba_offset = 0x1000 - 8;
    g_assert(layout_ok(m, 0x1000, 0x1000, NULL));
    m.pba_offset = 0x1000 - 4;
    g_assert(!layout_ok(m, 0x1000, 0x1000, "PBA"));
    m.pba_offset = 0x800;
    g_assert(!layout_ok(m, 0x200, 0x1000, "does not fit"));
    /* Overlap within one BAR, none across BARs. */
    m.pba_offset = 0x3f8;
    g_assert(!layout_ok(m, 0x1000, 0x1000, "overlap"));
    m.pba_bar = 2;
    g_assert(layout_ok(m, 0x1000, 0x1000, NULL));
    /* Reserved BIRs and silly sizes. */
    m.table_bar = 6;
    g_assert(!layout_ok(m, 0x1000, 0x1000, "BARs 0 to 5"));
    m.table_bar = 1;
    m.pba_bar = 7;
    g_assert(!layout_ok(m, 0x1000, 0x1000, "BARs 0 to 5"));
    m.pba_bar = 2;
    m.entries = 0;
    g_assert(!layout_ok(m, 0x1000, 0x1000, "entries"));
    m.entries = 2049;
    g_assert(!layout_ok(m, 1 << 20, 1 << 20, "entries"));
    m.entries = 2048;
    g_assert(layout_ok(m, 0x8000, 0x1000, NULL));
    /* A BAR the host does not have (size 0). */
    g_assert(!layout_ok(m, 0, 0x1000, "does not implement"));
    g_assert(!layout_ok(m, 0x8000, 0, "does not implement"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/vectors/plan/dynamic", test_plan_dynamic);
    g_test_add_func("/vfio/vectors/plan/noresize", test_plan_noresize);
    g_test_add_func("/vfio/vectors/plan/one-by-one", test_plan_one_by_one);
    g_test_add_func("/vfio/vectors/msi-retry", test_msi_retry);
    g_test_add_func("/vfio/vectors/msix-layout", test_msix_layout);
    return g_test_run();
}
