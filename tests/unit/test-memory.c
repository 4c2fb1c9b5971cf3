/*
 * Unit tests for the memory API: rendering, dispatch, listeners.
 * Each test builds its own root and address space.
 */
#include "qemu/osdep.h"
#include "system/memory.h"

/* A device that logs its accesses and answers from a byte array. */
typedef struct TestAccess {
    hwaddr addr;
    uint64_t value;
    unsigned size;
    bool is_write;
} TestAccess;

typedef struct TestDev {
    GArray *log;                /* TestAccess */
    uint8_t regs[0x200];
} TestDev;

static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t value = ldn_le_p(&d->regs[addr], size);
    TestAccess a = { addr, value, size, false };

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    g_array_append_val(d->log, a);
    return value;
}

static void testdev_write(void *opaque, hwaddr addr, uint64_t value,
                          unsigned size)
{
    TestDev *d = opaque;
    TestAccess a = { addr, value, size, true };

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    g_array_append_val(d->log, a);
    stn_le_p(&d->regs[addr], size, value);
}

static const MemoryRegionOps ops_any = {
    .read = testdev_read,
    .write = testdev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps ops_default = {
    .read = testdev_read,
    .write = testdev_write,
};

static const MemoryRegionOps ops_impl_max4 = {
    .read = testdev_read,
    .write = testdev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps ops_impl_min4 = {
    .read = testdev_read,
    .write = testdev_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static const MemoryRegionOps ops_valid_2_4 = {
    .read = testdev_read,
    .write = testdev_write,
    .valid = { .min_access_size = 2, .max_access_size = 4 },
};

static const MemoryRegionOps ops_valid_unaligned = {
    .read = testdev_read,
    .write = testdev_write,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

static TestDev *testdev_new(void)
{
    TestDev *d = g_new0(TestDev, 1);

    d->log = g_array_new(false, false, sizeof(TestAccess));
    for (unsigned i = 0; i < sizeof(d->regs); i++) {
        d->regs[i] = i;
    }
    return d;
}

static void testdev_free(TestDev *d)
{
    g_array_free(d->log, true);
    g_free(d);
}

static TestAccess *testdev_access(TestDev *d, guint i)
{
    g_assert_cmpuint(i, <, d->log->len);
    return &g_array_index(d->log, TestAccess, i);
}

static void assert_access(TestDev *d, guint i, hwaddr addr, unsigned size,
                          uint64_t value, bool is_write)
{
    TestAccess *a = testdev_access(d, i);

    g_assert_cmphex(a->addr, ==, addr);
    g_assert_cmpuint(a->size, ==, size);
    g_assert_cmphex(a->value, ==, value);
    g_assert_cmpint(a->is_write, ==, is_write);
}

/* A root container with an address space on it. */
typedef struct Fixture {
    MemoryRegion root;
    AddressSpace as;
} Fixture;

static void fixture_init(Fixture *f, uint64_t size)
{
    memory_region_init(&f->root, NULL, "root", size);
    address_space_init(&f->as, &f->root, "test");
}

static void fixture_destroy(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_finalize(&f->root);
}

static uint64_t read_sized(Fixture *f, hwaddr addr, unsigned size,
                           MemTxResult expect)
{
    uint64_t v = 0x5a5a5a5a5a5a5a5aULL;

    g_assert_cmpint(address_space_read_sized(&f->as, addr, size, &v), ==,
                    expect);
    return v;
}

static void write_sized(Fixture *f, hwaddr addr, unsigned size,
                        uint64_t value, MemTxResult expect)
{
    g_assert_cmpint(address_space_write_sized(&f->as, addr, size, value), ==,
                    expect);
}

/* RAM */

static void test_ram_rw(void)
{
    Fixture f;
    MemoryRegion ram;
    uint8_t buf[16], out[16];
    uint8_t *host;

    fixture_init(&f, UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000,
                                         &error_abort));
    g_assert_true(memory_region_is_ram(&ram));
    g_assert_false(memory_region_is_ram_device(&ram));
    g_assert_false(memory_region_is_mapped(&ram));
    host = memory_region_get_ram_ptr(&ram);
    g_assert_nonnull(host);
    g_assert_cmpuint(host[0x1234], ==, 0);       /* zero-filled */

    memory_region_add_subregion(&f.root, 0x100000, &ram);
    g_assert_true(memory_region_is_mapped(&ram));
    g_assert_cmphex(memory_region_get_address(&ram), ==, 0x100000);

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = 0xa0 + i;
    }
    g_assert_cmpint(address_space_write(&f.as, 0x100ff8, buf, sizeof(buf)),
                    ==, MEMTX_OK);
    g_assert_cmpmem(host + 0xff8, sizeof(buf), buf, sizeof(buf));
    g_assert_cmpint(address_space_read(&f.as, 0x100ff8, out, sizeof(out)),
                    ==, MEMTX_OK);
    g_assert_cmpmem(out, sizeof(out), buf, sizeof(buf));

    /* sized accesses are little-endian */
    g_assert_cmphex(read_sized(&f, 0x100ff8, 1, MEMTX_OK), ==, 0xa0);
    g_assert_cmphex(read_sized(&f, 0x100ff8, 2, MEMTX_OK), ==, 0xa1a0);
    g_assert_cmphex(read_sized(&f, 0x100ff8, 4, MEMTX_OK), ==, 0xa3a2a1a0);
    g_assert_cmphex(read_sized(&f, 0x100ff9, 8, MEMTX_OK), ==,
                    0xa8a7a6a5a4a3a2a1ULL);
    write_sized(&f, 0x100000, 8, 0x1122334455667788ULL, MEMTX_OK);
    g_assert_cmphex(ldq_le_p(host), ==, 0x1122334455667788ULL);
    g_assert_cmphex(host[0], ==, 0x88);

    address_space_stl_le(&f.as, 0x100010, 0xdeadbeef, NULL);
    g_assert_cmphex(address_space_ldl_le(&f.as, 0x100010, NULL), ==,
                    0xdeadbeef);
    g_assert_cmpint(address_space_set(&f.as, 0x100100, 0x5c, 0x800), ==,
                    MEMTX_OK);
    g_assert_cmphex(host[0xff], ==, 0);
    g_assert_cmphex(host[0x100], ==, 0x5c);
    g_assert_cmphex(host[0x8ff], ==, 0x5c);
    g_assert_cmphex(host[0x900], ==, 0);

    /* the last byte is in, the next is not */
    g_assert_cmpint(address_space_write_sized(&f.as, 0x10ffff, 1, 7), ==,
                    MEMTX_OK);
    g_assert_cmphex(host[0xffff], ==, 7);
    g_assert_cmphex(read_sized(&f, 0x110000, 1, MEMTX_DECODE_ERROR), ==,
                    0xff);

    memory_region_finalize(&ram);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    fixture_destroy(&f);
}

static void test_ram_readonly(void)
{
    Fixture f;
    MemoryRegion rom;
    uint8_t *host;
    uint8_t data[4] = { 1, 2, 3, 4 };

    fixture_init(&f, 0x10000);
    g_assert_true(memory_region_init_ram(&rom, NULL, "rom", 0x1000,
                                         &error_abort));
    host = memory_region_get_ram_ptr(&rom);
    host[0] = 0x42;
    memory_region_set_readonly(&rom, true);
    memory_region_add_subregion(&f.root, 0x1000, &rom);

    write_sized(&f, 0x1000, 1, 0x99, MEMTX_OK);
    g_assert_cmphex(host[0], ==, 0x42);
    g_assert_cmpint(address_space_write(&f.as, 0x1000, data, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(host[0], ==, 0x42);
    g_assert_cmphex(read_sized(&f, 0x1000, 1, MEMTX_OK), ==, 0x42);
    g_assert_true(address_space_find_section(&f.as, 0x1000).readonly);

    memory_region_set_readonly(&rom, false);
    write_sized(&f, 0x1000, 1, 0x99, MEMTX_OK);
    g_assert_cmphex(host[0], ==, 0x99);

    memory_region_finalize(&rom);
    fixture_destroy(&f);
}

static void test_ram_too_large(void)
{
    MemoryRegion ram = { 0 };
    Error *err = NULL;

    g_assert_false(memory_region_init_ram(&ram, NULL, "huge", UINT64_MAX,
                                          &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "huge"));
    error_free(err);
    g_assert_false(ram.initialised);
    memory_region_finalize(&ram);           /* harmless */
}

static void test_ram_ptr(void)
{
    Fixture f;
    MemoryRegion mr, dev;
    uint64_t backing[8] = { 0 };
    uint32_t devmem[4] = { 0 };
    uint8_t buf[8];

    fixture_init(&f, 0x100000);
    memory_region_init_ram_ptr(&mr, NULL, "ptr", sizeof(backing), backing);
    memory_region_init_ram_device_ptr(&dev, NULL, "bar0-mmap",
                                      sizeof(devmem), devmem);
    g_assert_true(memory_region_is_ram(&mr));
    g_assert_false(memory_region_is_ram_device(&mr));
    g_assert_true(memory_region_is_ram(&dev));
    g_assert_true(memory_region_is_ram_device(&dev));
    g_assert_true(memory_region_get_ram_ptr(&dev) == devmem);
    memory_region_add_subregion(&f.root, 0x1000, &mr);
    memory_region_add_subregion(&f.root, 0x2000, &dev);

    write_sized(&f, 0x1008, 8, 0x0102030405060708ULL, MEMTX_OK);
    g_assert_cmphex(GUINT64_FROM_LE(backing[1]), ==, 0x0102030405060708ULL);
    write_sized(&f, 0x2004, 4, 0xcafef00d, MEMTX_OK);
    g_assert_cmphex(GUINT32_FROM_LE(devmem[1]), ==, 0xcafef00d);
    g_assert_cmphex(read_sized(&f, 0x2004, 2, MEMTX_OK), ==, 0xf00d);
    g_assert_cmpint(address_space_read(&f.as, 0x2002, buf, 8), ==, MEMTX_OK);
    g_assert_cmphex(ldq_le_p(buf), ==, 0x0000cafef00d0000ULL);

    memory_region_finalize(&dev);
    memory_region_finalize(&mr);
    /* caller-owned memory survives finalize */
    g_assert_cmphex(GUINT32_FROM_LE(devmem[1]), ==, 0xcafef00d);
    fixture_destroy(&f);
}

/* I/O */

static void test_io_offsets(void)
{
    Fixture f;
    MemoryRegion io;
    TestDev *d = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x100);
    g_assert_false(memory_region_is_ram(&io));
    g_assert_null(memory_region_get_ram_ptr(&io));
    memory_region_add_subregion(&f.root, 0x2000, &io);

    write_sized(&f, 0x2010, 4, 0x11223344, MEMTX_OK);
    assert_access(d, 0, 0x10, 4, 0x11223344, true);
    g_assert_cmphex(read_sized(&f, 0x2023, 1, MEMTX_OK), ==, 0x23);
    assert_access(d, 1, 0x23, 1, 0x23, false);
    g_assert_cmphex(read_sized(&f, 0x2010, 2, MEMTX_OK), ==, 0x3344);
    assert_access(d, 2, 0x10, 2, 0x3344, false);
    g_assert_cmphex(read_sized(&f, 0x2040, 8, MEMTX_OK), ==,
                    0x4746454443424140ULL);
    assert_access(d, 3, 0x40, 8, 0x4746454443424140ULL, false);
    g_assert_cmpuint(d->log->len, ==, 4);

    /* a byte buffer uses the widest aligned accesses */
    {
        uint8_t buf[11];

        g_assert_cmpint(address_space_read(&f.as, 0x2081, buf, sizeof(buf)),
                        ==, MEMTX_OK);
        for (unsigned i = 0; i < sizeof(buf); i++) {
            g_assert_cmphex(buf[i], ==, 0x81 + i);
        }
        /* 1 byte to reach 2-byte alignment, 2 to reach 4, then 4 + 4 */
        assert_access(d, 4, 0x81, 1, 0x81, false);
        assert_access(d, 5, 0x82, 2, 0x8382, false);
        assert_access(d, 6, 0x84, 4, 0x87868584, false);
        assert_access(d, 7, 0x88, 4, 0x8b8a8988, false);
        g_assert_cmpuint(d->log->len, ==, 8);
    }

    memory_region_finalize(&io);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_io_default_ops(void)
{
    Fixture f;
    MemoryRegion io;
    TestDev *d = testdev_new();
    uint8_t buf[8];

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_default, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0, &io);

    /* valid.max 0 means 4: an 8-byte CPU access is refused */
    g_assert_cmphex(read_sized(&f, 0x8, 8, MEMTX_ERROR), ==, UINT64_MAX);
    write_sized(&f, 0x8, 8, 0, MEMTX_ERROR);
    g_assert_cmpuint(d->log->len, ==, 0);
    /* ...but a byte buffer of 8 becomes two 4-byte accesses */
    g_assert_cmpint(address_space_read(&f.as, 0x8, buf, 8), ==, MEMTX_OK);
    g_assert_cmphex(ldq_le_p(buf), ==, 0x0f0e0d0c0b0a0908ULL);
    assert_access(d, 0, 0x8, 4, 0x0b0a0908, false);
    assert_access(d, 1, 0xc, 4, 0x0f0e0d0c, false);
    /* min 0 means 1 */
    g_assert_cmphex(read_sized(&f, 0x3, 1, MEMTX_OK), ==, 0x03);

    memory_region_finalize(&io);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_io_split(void)
{
    Fixture f;
    MemoryRegion io;
    TestDev *d = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_impl_max4, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0x1000, &io);

    write_sized(&f, 0x1010, 8, 0x8877665544332211ULL, MEMTX_OK);
    g_assert_cmpuint(d->log->len, ==, 2);
    assert_access(d, 0, 0x10, 4, 0x44332211, true);     /* low half first */
    assert_access(d, 1, 0x14, 4, 0x88776655, true);

    g_assert_cmphex(read_sized(&f, 0x1010, 8, MEMTX_OK), ==,
                    0x8877665544332211ULL);
    g_assert_cmpuint(d->log->len, ==, 4);
    assert_access(d, 2, 0x10, 4, 0x44332211, false);
    assert_access(d, 3, 0x14, 4, 0x88776655, false);

    /* within impl: one call */
    g_assert_cmphex(read_sized(&f, 0x1020, 4, MEMTX_OK), ==, 0x23222120);
    g_assert_cmpuint(d->log->len, ==, 5);

    memory_region_finalize(&io);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_io_widen(void)
{
    Fixture f;
    MemoryRegion io;
    TestDev *d = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_impl_min4, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0x1000, &io);

    /* a byte read reads the aligned word and extracts its byte */
    g_assert_cmphex(read_sized(&f, 0x1011, 1, MEMTX_OK), ==, 0x11);
    g_assert_cmpuint(d->log->len, ==, 1);
    assert_access(d, 0, 0x10, 4, 0x13121110, false);
    g_assert_cmphex(read_sized(&f, 0x1016, 2, MEMTX_OK), ==, 0x1716);
    assert_access(d, 1, 0x14, 4, 0x17161514, false);

    /* a narrow write is widened with zero bytes, no read first */
    write_sized(&f, 0x1022, 1, 0xab, MEMTX_OK);
    g_assert_cmpuint(d->log->len, ==, 3);
    assert_access(d, 2, 0x20, 4, 0x00ab0000, true);
    write_sized(&f, 0x1032, 2, 0xbeef, MEMTX_OK);
    assert_access(d, 3, 0x30, 4, 0xbeef0000, true);

    memory_region_finalize(&io);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_io_valid_rejects(void)
{
    Fixture f;
    MemoryRegion io, io2;
    TestDev *d = testdev_new();
    TestDev *d2 = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_valid_2_4, d, "strict", 0x100);
    memory_region_add_subregion(&f.root, 0x1000, &io);
    memory_region_init_io(&io2, NULL, &ops_valid_unaligned, d2, "loose",
                          0x100);
    memory_region_add_subregion(&f.root, 0x2000, &io2);

    /* too small, too big, misaligned: refused, all ones, no callback */
    g_assert_cmphex(read_sized(&f, 0x1010, 1, MEMTX_ERROR), ==, 0xff);
    g_assert_cmphex(read_sized(&f, 0x1010, 8, MEMTX_ERROR), ==, UINT64_MAX);
    g_assert_cmphex(read_sized(&f, 0x1012, 4, MEMTX_ERROR), ==, 0xffffffff);
    g_assert_cmphex(read_sized(&f, 0x1011, 2, MEMTX_ERROR), ==, 0xffff);
    write_sized(&f, 0x1010, 1, 0, MEMTX_ERROR);
    write_sized(&f, 0x1013, 2, 0, MEMTX_ERROR);
    g_assert_cmpuint(d->log->len, ==, 0);
    /* sizes that are not 1, 2, 4, 8 are never valid */
    g_assert_cmphex(read_sized(&f, 0x1010, 3, MEMTX_ERROR), ==, UINT64_MAX);
    g_assert_cmpuint(d->log->len, ==, 0);
    /* legal ones pass */
    g_assert_cmphex(read_sized(&f, 0x1012, 2, MEMTX_OK), ==, 0x1312);
    g_assert_cmphex(read_sized(&f, 0x1014, 4, MEMTX_OK), ==, 0x17161514);
    g_assert_cmpuint(d->log->len, ==, 2);

    /* a byte buffer of 1 byte cannot be done legally either */
    {
        uint8_t b = 0;

        g_assert_cmpint(address_space_read(&f.as, 0x1020, &b, 1), ==,
                        MEMTX_ERROR);
        g_assert_cmphex(b, ==, 0xff);
        g_assert_cmpuint(d->log->len, ==, 2);
    }

    /* unaligned allowed by valid and impl: one call at the odd offset */
    g_assert_cmphex(read_sized(&f, 0x2013, 4, MEMTX_OK), ==, 0x16151413);
    assert_access(d2, 0, 0x13, 4, 0x16151413, false);
    g_assert_cmpuint(d2->log->len, ==, 1);

    memory_region_finalize(&io);
    memory_region_finalize(&io2);
    fixture_destroy(&f);
    testdev_free(d);
    testdev_free(d2);
}

static void test_io_null_callbacks(void)
{
    static const MemoryRegionOps ops_none = { 0 };
    Fixture f;
    MemoryRegion io;

    fixture_init(&f, 0x10000);
    memory_region_init_io(&io, NULL, &ops_none, NULL, "silent", 0x10);
    memory_region_add_subregion(&f.root, 0, &io);
    g_assert_cmphex(read_sized(&f, 0, 4, MEMTX_OK), ==, 0);
    write_sized(&f, 0, 4, 1, MEMTX_OK);
    memory_region_finalize(&io);
    fixture_destroy(&f);
}

/* Overlap, priority, aliases, enable */

static void test_priority(void)
{
    Fixture f;
    MemoryRegion ram, io;
    TestDev *d = testdev_new();
    uint8_t *host;

    fixture_init(&f, 0x100000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x4000,
                                         &error_abort));
    host = memory_region_get_ram_ptr(&ram);
    memset(host, 0xee, 0x4000);
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0, &ram);
    memory_region_add_subregion_overlap(&f.root, 0x1000, &io, 1);

    /* higher priority wins where it is; the RAM shows around it */
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 3);
    g_assert_cmphex(read_sized(&f, 0xfff, 1, MEMTX_OK), ==, 0xee);
    g_assert_cmphex(read_sized(&f, 0x1005, 1, MEMTX_OK), ==, 0x05);
    g_assert_cmphex(read_sized(&f, 0x10ff, 1, MEMTX_OK), ==, 0xff);
    g_assert_cmphex(read_sized(&f, 0x1100, 1, MEMTX_OK), ==, 0xee);
    g_assert_cmpuint(d->log->len, ==, 2);
    {
        MemoryRegionSection s = address_space_find_section(&f.as, 0x1100);

        g_assert_true(s.mr == &ram);
        g_assert_cmphex(s.offset_within_region, ==, 0x1100);
        g_assert_cmphex(s.offset_within_address_space, ==, 0x1100);
        g_assert_cmphex(s.size, ==, 0x2f00);
        s = address_space_find_section(&f.as, 0x1010);
        g_assert_true(s.mr == &io);
        g_assert_cmphex(s.offset_within_region, ==, 0x10);
        g_assert_cmphex(s.size, ==, 0xf0);
        s = address_space_find_section(&f.as, 0x8000);
        g_assert_null(s.mr);
        /* a hole reaches the next range or the end of the space */
        g_assert_cmphex(s.size, ==, 0xffffffffffff8000ULL);
    }

    /* lower priority is hidden by the RAM */
    memory_region_del_subregion(&f.root, &io);
    memory_region_add_subregion_overlap(&f.root, 0x1000, &io, -1);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 1);
    g_assert_cmphex(read_sized(&f, 0x1005, 1, MEMTX_OK), ==, 0xee);
    /* ...and shows where the RAM does not reach */
    memory_region_set_address(&io, 0x3f80);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 2);
    g_assert_cmphex(read_sized(&f, 0x3fff, 1, MEMTX_OK), ==, 0xee);
    g_assert_cmphex(read_sized(&f, 0x4000, 1, MEMTX_OK), ==, 0x80);
    g_assert_cmphex(read_sized(&f, 0x407f, 1, MEMTX_OK), ==, 0xff);
    g_assert_cmphex(read_sized(&f, 0x4080, 1, MEMTX_DECODE_ERROR), ==, 0xff);

    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_equal_priority(void)
{
    Fixture f;
    MemoryRegion a, b;
    TestDev *da = testdev_new(), *db = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&a, NULL, &ops_any, da, "a", 0x100);
    memory_region_init_io(&b, NULL, &ops_any, db, "b", 0x100);
    memory_region_add_subregion(&f.root, 0x1000, &a);
    memory_region_add_subregion(&f.root, 0x1080, &b);

    /* the one added later wins */
    read_sized(&f, 0x1090, 1, MEMTX_OK);
    g_assert_cmpuint(da->log->len, ==, 0);
    assert_access(db, 0, 0x10, 1, 0x10, false);
    read_sized(&f, 0x1070, 1, MEMTX_OK);
    assert_access(da, 0, 0x70, 1, 0x70, false);

    /* re-adding a makes it the later one */
    memory_region_del_subregion(&f.root, &a);
    memory_region_add_subregion(&f.root, 0x1000, &a);
    read_sized(&f, 0x1090, 1, MEMTX_OK);
    assert_access(da, 1, 0x90, 1, 0x90, false);
    g_assert_cmpuint(db->log->len, ==, 1);
    read_sized(&f, 0x1100, 1, MEMTX_OK);
    assert_access(db, 1, 0x80, 1, 0x80, false);

    memory_region_finalize(&a);
    memory_region_finalize(&b);
    fixture_destroy(&f);
    testdev_free(da);
    testdev_free(db);
}

static void test_nested_containers(void)
{
    Fixture f;
    MemoryRegion outer, inner, io, hi;
    TestDev *d = testdev_new(), *dh = testdev_new();

    fixture_init(&f, 0x100000);
    memory_region_init(&outer, NULL, "outer", 0x10000);
    memory_region_init(&inner, NULL, "inner", 0x100);
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x200);
    memory_region_init_io(&hi, NULL, &ops_any, dh, "hi", 0x100);
    memory_region_add_subregion(&f.root, 0x20000, &outer);
    memory_region_add_subregion(&outer, 0x1000, &inner);
    /* io is bigger than inner: clipped to inner's 0x100 bytes */
    memory_region_add_subregion(&inner, 0x80, &io);

    read_sized(&f, 0x21080, 1, MEMTX_OK);
    assert_access(d, 0, 0x0, 1, 0x0, false);
    read_sized(&f, 0x210ff, 1, MEMTX_OK);
    assert_access(d, 1, 0x7f, 1, 0x7f, false);
    read_sized(&f, 0x21100, 1, MEMTX_DECODE_ERROR);
    read_sized(&f, 0x2107f, 1, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(d->log->len, ==, 2);

    /* a container's priority applies to all it holds */
    memory_region_add_subregion_overlap(&f.root, 0x21000, &hi, 1);
    read_sized(&f, 0x21080, 1, MEMTX_OK);
    assert_access(dh, 0, 0x80, 1, 0x80, false);
    g_assert_cmpuint(d->log->len, ==, 2);
    memory_region_set_enabled(&hi, false);
    read_sized(&f, 0x21080, 1, MEMTX_OK);
    g_assert_cmpuint(d->log->len, ==, 3);

    /* moving the container moves everything in it */
    memory_region_set_address(&outer, 0x40000);
    read_sized(&f, 0x21080, 1, MEMTX_DECODE_ERROR);
    read_sized(&f, 0x41081, 1, MEMTX_OK);
    assert_access(d, 3, 0x1, 1, 0x1, false);

    /* finalizing a container detaches what it holds */
    memory_region_finalize(&inner);
    g_assert_false(memory_region_is_mapped(&io));
    read_sized(&f, 0x41081, 1, MEMTX_DECODE_ERROR);
    memory_region_finalize(&io);
    memory_region_finalize(&hi);
    memory_region_finalize(&outer);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    fixture_destroy(&f);
    testdev_free(d);
    testdev_free(dh);
}

static void test_alias(void)
{
    Fixture f;
    MemoryRegion ram, io, alias_ram, alias_io, box, alias_box;
    TestDev *d = testdev_new();
    uint8_t *host;

    fixture_init(&f, 0x1000000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000,
                                         &error_abort));
    host = memory_region_get_ram_ptr(&ram);
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0, &ram);

    /* RAM alias with an offset: same bytes, two addresses */
    memory_region_init_alias(&alias_ram, NULL, "ram-hi", &ram, 0x2000,
                             0x1000);
    memory_region_add_subregion(&f.root, 0x100000, &alias_ram);
    write_sized(&f, 0x100010, 4, 0x12345678, MEMTX_OK);
    g_assert_cmphex(ldl_le_p(host + 0x2010), ==, 0x12345678);
    g_assert_cmphex(read_sized(&f, 0x2010, 4, MEMTX_OK), ==, 0x12345678);
    g_assert_true(memory_region_get_ram_ptr(&alias_ram) == host + 0x2000);
    g_assert_false(memory_region_is_ram(&alias_ram));
    read_sized(&f, 0x101000, 1, MEMTX_DECODE_ERROR);  /* alias size */
    {
        MemoryRegionSection s = address_space_find_section(&f.as, 0x100800);

        g_assert_true(s.mr == &ram);                  /* never the alias */
        g_assert_cmphex(s.offset_within_region, ==, 0x2800);
        g_assert_cmphex(s.size, ==, 0x800);
    }

    /* the alias offset can move */
    memory_region_set_alias_offset(&alias_ram, 0x3000);
    host[0x3004] = 0x77;
    g_assert_cmphex(read_sized(&f, 0x100004, 1, MEMTX_OK), ==, 0x77);

    /* I/O alias: callbacks see offsets in the original region */
    memory_region_init_alias(&alias_io, NULL, "dev-alias", &io, 0x40, 0x40);
    memory_region_add_subregion(&f.root, 0x200000, &alias_io);
    read_sized(&f, 0x200004, 2, MEMTX_OK);
    assert_access(d, 0, 0x44, 2, 0x4544, false);
    /* the original need not be mapped, nor enabled */
    g_assert_false(memory_region_is_mapped(&io));
    memory_region_set_enabled(&io, false);
    read_sized(&f, 0x20003f, 1, MEMTX_OK);
    assert_access(d, 1, 0x7f, 1, 0x7f, false);
    read_sized(&f, 0x200040, 1, MEMTX_DECODE_ERROR);
    memory_region_set_enabled(&io, true);

    /* alias of a container */
    memory_region_init(&box, NULL, "box", 0x1000);
    memory_region_add_subregion(&box, 0x100, &io);
    memory_region_init_alias(&alias_box, NULL, "box-alias", &box, 0x80,
                             0x200);
    memory_region_add_subregion(&f.root, 0x300000, &alias_box);
    read_sized(&f, 0x300080, 1, MEMTX_OK);       /* box 0x100 = io 0 */
    assert_access(d, 2, 0x0, 1, 0x0, false);
    read_sized(&f, 0x30007f, 1, MEMTX_DECODE_ERROR);
    read_sized(&f, 0x300180, 1, MEMTX_DECODE_ERROR);  /* io ends at 0x200 */

    /* a disabled alias is invisible */
    memory_region_set_enabled(&alias_box, false);
    read_sized(&f, 0x300080, 1, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(d->log->len, ==, 3);

    memory_region_finalize(&alias_box);
    memory_region_finalize(&box);
    memory_region_finalize(&alias_io);
    memory_region_finalize(&io);
    memory_region_finalize(&alias_ram);
    memory_region_finalize(&ram);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_disabled(void)
{
    Fixture f;
    MemoryRegion ram;
    uint8_t buf[4];

    fixture_init(&f, 0x10000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000,
                                         &error_abort));
    memory_region_add_subregion(&f.root, 0x1000, &ram);
    write_sized(&f, 0x1000, 4, 0x01020304, MEMTX_OK);

    memory_region_set_enabled(&ram, false);
    g_assert_false(memory_region_is_enabled(&ram));
    g_assert_true(memory_region_is_mapped(&ram));
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    g_assert_cmphex(read_sized(&f, 0x1000, 4, MEMTX_DECODE_ERROR), ==,
                    0xffffffff);
    write_sized(&f, 0x1000, 4, 0, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_read(&f.as, 0x1000, buf, 4), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(ldl_le_p(buf), ==, 0xffffffff);

    memory_region_set_enabled(&ram, true);
    g_assert_cmphex(read_sized(&f, 0x1000, 4, MEMTX_OK), ==, 0x01020304);

    memory_region_finalize(&ram);
    fixture_destroy(&f);
}

static void test_crossing(void)
{
    Fixture f;
    MemoryRegion ram, io;
    TestDev *d = testdev_new();
    uint8_t *host;
    uint8_t buf[8];

    fixture_init(&f, 0x10000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000,
                                         &error_abort));
    host = memory_region_get_ram_ptr(&ram);
    host[0xffe] = 0xaa;
    host[0xfff] = 0xbb;
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0, &ram);
    memory_region_add_subregion(&f.root, 0x1000, &io);

    /* two bytes of RAM, then one 2-byte access to the device */
    g_assert_cmphex(read_sized(&f, 0xffe, 4, MEMTX_OK), ==, 0x0100bbaa);
    g_assert_cmpuint(d->log->len, ==, 1);
    assert_access(d, 0, 0x0, 2, 0x0100, false);

    write_sized(&f, 0xfff, 4, 0x44332211, MEMTX_OK);
    g_assert_cmphex(host[0xfff], ==, 0x11);
    g_assert_cmpuint(d->log->len, ==, 3);
    assert_access(d, 1, 0x0, 2, 0x3322, true);
    assert_access(d, 2, 0x2, 1, 0x44, true);

    /* the device, then nothing: the tail reads all ones */
    g_assert_cmphex(read_sized(&f, 0x10fe, 4, MEMTX_DECODE_ERROR), ==,
                    0xfffffffe);
    g_assert_cmpint(address_space_read(&f.as, 0x10fc, buf, 8), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(ldq_le_p(buf), ==, 0xffffffff00000000ULL |
                    ldl_le_p(&d->regs[0xfc]));

    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    fixture_destroy(&f);
    testdev_free(d);
}

/*
 * A register overlaid at a later byte (0xCF9 on the 0xCF8 dword): an
 * access that fits in the region holding its first byte goes there
 * whole; one that starts on the overlay goes to the overlay.
 */
static void test_overlaid_register(void)
{
    Fixture f;
    MemoryRegion conf, rst;
    TestDev *dc = testdev_new();
    TestDev *dr = testdev_new();

    fixture_init(&f, 0x10000);
    memory_region_init_io(&conf, NULL, &ops_impl_max4, dc, "conf", 4);
    memory_region_init_io(&rst, NULL, &ops_any, dr, "rst", 1);
    memory_region_add_subregion(&f.root, 0xcf8, &conf);
    memory_region_add_subregion_overlap(&f.root, 0xcf9, &rst, 1);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 3);

    write_sized(&f, 0xcf8, 4, 0x80001234, MEMTX_OK);
    g_assert_cmpuint(dr->log->len, ==, 0);
    g_assert_cmpuint(dc->log->len, ==, 1);
    assert_access(dc, 0, 0, 4, 0x80001234, true);
    g_assert_cmphex(read_sized(&f, 0xcf8, 4, MEMTX_OK), ==, 0x80001234);
    g_assert_cmpuint(dr->log->len, ==, 0);

    write_sized(&f, 0xcf9, 1, 0x06, MEMTX_OK);
    g_assert_cmpuint(dr->log->len, ==, 1);
    assert_access(dr, 0, 0, 1, 0x06, true);
    g_assert_cmpuint(dc->log->len, ==, 2);

    /* not in the region that holds its first byte: split as before */
    g_assert_cmphex(read_sized(&f, 0xcfa, 4, MEMTX_DECODE_ERROR), ==,
                    0xffff8000);

    memory_region_finalize(&rst);
    memory_region_finalize(&conf);
    fixture_destroy(&f);
    testdev_free(dc);
    testdev_free(dr);
}

static void test_unassigned(void)
{
    Fixture f;
    uint8_t buf[3] = { 0 };

    fixture_init(&f, UINT64_MAX);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    g_assert_cmphex(read_sized(&f, 0x1000, 1, MEMTX_DECODE_ERROR), ==, 0xff);
    g_assert_cmphex(read_sized(&f, 0x1000, 2, MEMTX_DECODE_ERROR), ==,
                    0xffff);
    g_assert_cmphex(read_sized(&f, 0x1000, 8, MEMTX_DECODE_ERROR), ==,
                    UINT64_MAX);
    write_sized(&f, 0x1000, 4, 1, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_read(&f.as, 0, buf, 3), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0] & buf[1] & buf[2], ==, 0xff);
    g_assert_cmpuint(address_space_ldl_le(&f.as, 0, NULL), ==, 0xffffffff);
    {
        MemTxResult r = MEMTX_OK;

        address_space_stl_le(&f.as, 0, 0, &r);
        g_assert_cmpint(r, ==, MEMTX_DECODE_ERROR);
        address_space_ldl_le(&f.as, 0, &r);
        g_assert_cmpint(r, ==, MEMTX_DECODE_ERROR);
    }
    /* top of the 64-bit space, and past it */
    g_assert_cmphex(read_sized(&f, UINT64_MAX, 1, MEMTX_DECODE_ERROR), ==,
                    0xff);
    g_assert_cmphex(read_sized(&f, UINT64_MAX - 1, 4, MEMTX_DECODE_ERROR),
                    ==, 0xffffffff);
    fixture_destroy(&f);
}

static void test_top_of_space(void)
{
    Fixture f;
    MemoryRegion io;
    TestDev *d = testdev_new();

    /* a region of UINT64_MAX bytes spans the whole space */
    fixture_init(&f, UINT64_MAX);
    memory_region_init_io(&io, NULL, &ops_any, d, "top", 0x100);
    memory_region_add_subregion(&f.root, UINT64_MAX - 0xff, &io);
    g_assert_cmphex(read_sized(&f, UINT64_MAX, 1, MEMTX_OK), ==, 0xff);
    assert_access(d, 0, 0xff, 1, 0xff, false);
    /* 2 bytes of device and 2 past the top of the space */
    g_assert_cmphex(read_sized(&f, UINT64_MAX - 1, 4, MEMTX_DECODE_ERROR),
                    ==, 0xffff0000 | 0xfffe);
    memory_region_finalize(&io);
    fixture_destroy(&f);
    testdev_free(d);
}

/* Listeners */

typedef struct TestListener {
    MemoryListener l;
    GArray *events;             /* TestEvent */
    unsigned begins, commits;
    bool in_batch;
} TestListener;

typedef struct TestEvent {
    bool add;
    MemoryRegion *mr;
    hwaddr addr;
    uint64_t size;
    hwaddr offset;
} TestEvent;

static void tl_record(MemoryListener *l, MemoryRegionSection *s, bool add)
{
    TestListener *tl = container_of(l, TestListener, l);
    TestEvent e = { add, s->mr, s->offset_within_address_space, s->size,
                    s->offset_within_region };

    g_assert_true(tl->in_batch);
    g_assert_true(s->as == l->as);
    g_assert_true(memory_region_is_ram(s->mr));
    g_array_append_val(tl->events, e);
}

static void tl_add(MemoryListener *l, MemoryRegionSection *s)
{
    tl_record(l, s, true);
}

static void tl_del(MemoryListener *l, MemoryRegionSection *s)
{
    tl_record(l, s, false);
}

static void tl_begin(MemoryListener *l)
{
    TestListener *tl = container_of(l, TestListener, l);

    g_assert_false(tl->in_batch);
    tl->in_batch = true;
    tl->begins++;
}

static void tl_commit(MemoryListener *l)
{
    TestListener *tl = container_of(l, TestListener, l);

    g_assert_true(tl->in_batch);
    tl->in_batch = false;
    tl->commits++;
}

static void tl_init(TestListener *tl)
{
    memset(tl, 0, sizeof(*tl));
    tl->l.region_add = tl_add;
    tl->l.region_del = tl_del;
    tl->l.begin = tl_begin;
    tl->l.commit = tl_commit;
    tl->l.name = "test";
    tl->events = g_array_new(false, false, sizeof(TestEvent));
}

static void tl_reset(TestListener *tl)
{
    g_array_set_size(tl->events, 0);
}

static void assert_event(TestListener *tl, guint i, bool add,
                         MemoryRegion *mr, hwaddr addr, uint64_t size,
                         hwaddr offset)
{
    TestEvent *e;

    g_assert_cmpuint(i, <, tl->events->len);
    e = &g_array_index(tl->events, TestEvent, i);
    g_assert_cmpint(e->add, ==, add);
    g_assert_true(e->mr == mr);
    g_assert_cmphex(e->addr, ==, addr);
    g_assert_cmphex(e->size, ==, size);
    g_assert_cmphex(e->offset, ==, offset);
}

static void test_listener(void)
{
    Fixture f;
    MemoryRegion ram, io, ram2;
    TestListener tl;
    TestDev *d = testdev_new();

    fixture_init(&f, UINT64_MAX);
    tl_init(&tl);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000,
                                         &error_abort));
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x1000);

    /* register on an empty space: a batch with nothing in it */
    memory_listener_register(&tl.l, &f.as);
    g_assert_true(tl.l.as == &f.as);
    g_assert_cmpuint(tl.events->len, ==, 0);

    /* RAM appears */
    memory_region_add_subregion(&f.root, 0x100000, &ram);
    g_assert_cmpuint(tl.events->len, ==, 1);
    assert_event(&tl, 0, true, &ram, 0x100000, 0x10000, 0);
    tl_reset(&tl);

    /* I/O is not announced, nor is unchanged RAM re-announced */
    memory_region_add_subregion(&f.root, 0x200000, &io);
    g_assert_cmpuint(tl.events->len, ==, 0);
    memory_region_del_subregion(&f.root, &io);
    g_assert_cmpuint(tl.events->len, ==, 0);

    /* I/O punching a hole splits the RAM: del whole, add two */
    memory_region_add_subregion_overlap(&f.root, 0x104000, &io, 1);
    g_assert_cmpuint(tl.events->len, ==, 3);
    assert_event(&tl, 0, false, &ram, 0x100000, 0x10000, 0);
    assert_event(&tl, 1, true, &ram, 0x100000, 0x4000, 0);
    assert_event(&tl, 2, true, &ram, 0x105000, 0xb000, 0x5000);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 3);
    tl_reset(&tl);

    /* the hole goes away: one merged extent again */
    memory_region_set_enabled(&io, false);
    g_assert_cmpuint(tl.events->len, ==, 3);
    assert_event(&tl, 0, false, &ram, 0x100000, 0x4000, 0);
    assert_event(&tl, 1, false, &ram, 0x105000, 0xb000, 0x5000);
    assert_event(&tl, 2, true, &ram, 0x100000, 0x10000, 0);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 1);
    tl_reset(&tl);

    /* RAM moves: removed from the old place, then added at the new one */
    memory_region_set_address(&ram, 0x300000);
    g_assert_cmpuint(tl.events->len, ==, 2);
    assert_event(&tl, 0, false, &ram, 0x100000, 0x10000, 0);
    assert_event(&tl, 1, true, &ram, 0x300000, 0x10000, 0);
    tl_reset(&tl);

    /* RAM disappears */
    memory_region_del_subregion(&f.root, &ram);
    g_assert_cmpuint(tl.events->len, ==, 1);
    assert_event(&tl, 0, false, &ram, 0x300000, 0x10000, 0);
    tl_reset(&tl);

    /* two aliases continuing each other make one extent */
    {
        MemoryRegion a1, a2;

        memory_region_init_alias(&a1, NULL, "lo", &ram, 0, 0x8000);
        memory_region_init_alias(&a2, NULL, "hi", &ram, 0x8000, 0x8000);
        memory_region_transaction_begin();
        memory_region_add_subregion(&f.root, 0x400000, &a1);
        memory_region_add_subregion(&f.root, 0x408000, &a2);
        memory_region_transaction_commit();
        g_assert_cmpuint(tl.events->len, ==, 1);
        assert_event(&tl, 0, true, &ram, 0x400000, 0x10000, 0);
        g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 1);
        tl_reset(&tl);
        memory_region_finalize(&a1);
        memory_region_finalize(&a2);
        g_assert_cmpuint(tl.events->len, ==, 3);
        assert_event(&tl, 0, false, &ram, 0x400000, 0x10000, 0);
        assert_event(&tl, 1, true, &ram, 0x408000, 0x8000, 0x8000);
        assert_event(&tl, 2, false, &ram, 0x408000, 0x8000, 0x8000);
        tl_reset(&tl);
    }

    /* device memory is announced; replay on register, del on unregister */
    {
        TestListener late;
        static uint8_t devmem[0x2000];
        MemoryRegion bar;

        memory_region_init_ram_device_ptr(&bar, NULL, "bar", sizeof(devmem),
                                          devmem);
        memory_region_add_subregion(&f.root, 0x100000, &ram);
        memory_region_add_subregion(&f.root, 0xfe000000, &bar);
        g_assert_cmpuint(tl.events->len, ==, 2);
        tl_reset(&tl);

        tl_init(&late);
        memory_listener_register(&late.l, &f.as);
        g_assert_cmpuint(late.begins, ==, 1);
        g_assert_cmpuint(late.commits, ==, 1);
        g_assert_cmpuint(late.events->len, ==, 2);
        assert_event(&late, 0, true, &ram, 0x100000, 0x10000, 0);
        assert_event(&late, 1, true, &bar, 0xfe000000, 0x2000, 0);
        tl_reset(&late);
        memory_listener_unregister(&late.l);
        g_assert_null(late.l.as);
        g_assert_cmpuint(late.events->len, ==, 2);
        assert_event(&late, 0, false, &ram, 0x100000, 0x10000, 0);
        assert_event(&late, 1, false, &bar, 0xfe000000, 0x2000, 0);
        /* gone for good */
        tl_reset(&late);
        memory_region_set_address(&bar, 0xfd000000);
        g_assert_cmpuint(late.events->len, ==, 0);
        g_assert_cmpuint(tl.events->len, ==, 2);
        g_array_free(late.events, true);
        tl_reset(&tl);
        memory_region_finalize(&bar);
        g_assert_cmpuint(tl.events->len, ==, 1);
        assert_event(&tl, 0, false, &bar, 0xfd000000, 0x2000, 0);
        tl_reset(&tl);
    }

    /* a batch brings one begin/commit and hides intermediate states */
    {
        unsigned begins = tl.begins;

        g_assert_true(memory_region_init_ram(&ram2, NULL, "ram2", 0x1000,
                                             &error_abort));
        memory_region_transaction_begin();
        memory_region_add_subregion(&f.root, 0x800000, &ram2);
        memory_region_set_address(&ram2, 0x900000);
        memory_region_transaction_begin();       /* nested */
        memory_region_set_enabled(&ram, false);
        memory_region_set_enabled(&ram, true);
        memory_region_transaction_commit();
        g_assert_cmpuint(tl.events->len, ==, 0);
        g_assert_cmpuint(tl.begins, ==, begins);
        memory_region_transaction_commit();
        g_assert_cmpuint(tl.begins, ==, begins + 1);
        g_assert_cmpuint(tl.commits, ==, tl.begins);
        g_assert_cmpuint(tl.events->len, ==, 1);
        assert_event(&tl, 0, true, &ram2, 0x900000, 0x1000, 0);
        tl_reset(&tl);
        /* a batch that changes nothing announces nothing */
        memory_region_transaction_begin();
        memory_region_set_enabled(&ram2, false);
        memory_region_set_enabled(&ram2, true);
        memory_region_transaction_commit();
        g_assert_cmpuint(tl.events->len, ==, 0);
        g_assert_cmpuint(tl.begins, ==, begins + 1);
    }

    /* read-only changes are announced (a DMA mapping's permissions) */
    memory_region_set_readonly(&ram2, true);
    g_assert_cmpuint(tl.events->len, ==, 2);
    assert_event(&tl, 0, false, &ram2, 0x900000, 0x1000, 0);
    assert_event(&tl, 1, true, &ram2, 0x900000, 0x1000, 0);
    tl_reset(&tl);

    /* destroying the space unregisters the listener */
    memory_region_finalize(&io);
    address_space_destroy(&f.as);
    g_assert_null(tl.l.as);
    g_assert_cmpuint(tl.events->len, ==, 2);
    memory_region_finalize(&ram);
    memory_region_finalize(&ram2);
    memory_region_finalize(&f.root);
    g_array_free(tl.events, true);
    testdev_free(d);
}

/* finalize inside a transaction must not leave views pointing at it */
static void test_finalize_in_transaction(void)
{
    Fixture f;
    MemoryRegion ram;
    TestListener tl;

    fixture_init(&f, 0x100000);
    tl_init(&tl);
    memory_listener_register(&tl.l, &f.as);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000,
                                         &error_abort));
    memory_region_add_subregion(&f.root, 0x1000, &ram);
    tl_reset(&tl);

    memory_region_transaction_begin();
    memory_region_finalize(&ram);
    g_assert_false(ram.initialised);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    g_assert_cmpuint(tl.events->len, ==, 1);
    assert_event(&tl, 0, false, &ram, 0x1000, 0x1000, 0);
    memory_region_transaction_commit();
    g_assert_cmpuint(tl.events->len, ==, 1);

    memory_listener_unregister(&tl.l);
    g_array_free(tl.events, true);
    fixture_destroy(&f);
}

static void test_flat_view_count(void)
{
    Fixture f;
    MemoryRegion ram, io1, io2;
    TestDev *d = testdev_new();

    fixture_init(&f, 0x100000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000,
                                         &error_abort));
    memory_region_init_io(&io1, NULL, &ops_any, d, "io1", 0x100);
    memory_region_init_io(&io2, NULL, &ops_any, d, "io2", 0x100);
    memory_region_add_subregion(&f.root, 0, &ram);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 1);
    memory_region_add_subregion_overlap(&f.root, 0x1000, &io1, 1);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 3);
    memory_region_add_subregion_overlap(&f.root, 0x1100, &io2, 1);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 4);
    memory_region_set_address(&io2, 0x20000);       /* beyond the RAM */
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 4);
    memory_region_set_size(&io2, 0x80);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 4);
    read_sized(&f, 0x20080, 1, MEMTX_DECODE_ERROR);
    memory_region_set_enabled(&io1, false);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 2);
    memory_region_set_size(&ram, 0x8000);
    read_sized(&f, 0x8000, 1, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(memory_region_size(&ram), ==, 0x8000);

    memory_region_finalize(&io1);
    memory_region_finalize(&io2);
    memory_region_finalize(&ram);
    g_assert_cmpuint(address_space_flat_range_count(&f.as), ==, 0);
    fixture_destroy(&f);
    testdev_free(d);
}

static void test_two_address_spaces(void)
{
    MemoryRegion root;
    AddressSpace as1, as2;
    MemoryRegion ram;
    uint64_t v = 0;

    /* two spaces over one tree see the same change */
    memory_region_init(&root, NULL, "shared", 0x10000);
    address_space_init(&as1, &root, "one");
    address_space_init(&as2, &root, "two");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000,
                                         &error_abort));
    memory_region_add_subregion(&root, 0x1000, &ram);
    g_assert_cmpuint(address_space_flat_range_count(&as1), ==, 1);
    g_assert_cmpuint(address_space_flat_range_count(&as2), ==, 1);
    g_assert_cmpint(address_space_write_sized(&as1, 0x1000, 4, 0xabcd), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_read_sized(&as2, 0x1000, 4, &v), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0xabcd);
    address_space_destroy(&as1);
    memory_region_del_subregion(&root, &ram);
    g_assert_cmpuint(address_space_flat_range_count(&as2), ==, 0);
    address_space_destroy(&as2);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_system_memory(void)
{
    MemoryRegion ram;
    uint64_t v = 0;

    memory_system_init();
    memory_system_init();                       /* idempotent */
    g_assert_nonnull(get_system_memory());
    g_assert_true(address_space_memory.root == get_system_memory());
    g_assert_true(address_space_io.root == get_system_io());
    g_assert_cmpuint(memory_region_size(get_system_memory()), ==,
                     UINT64_MAX);
    g_assert_cmpuint(memory_region_size(get_system_io()), ==, 65536);

    g_assert_true(memory_region_init_ram(&ram, NULL, "pc.ram", 0x100000,
                                         &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    g_assert_cmpint(address_space_write_sized(&address_space_memory, 0x500,
                                              2, 0x1234), ==, MEMTX_OK);
    g_assert_cmpint(address_space_read_sized(&address_space_memory, 0x500, 2,
                                             &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x1234);
    /* the I/O space ends at 64 KiB */
    g_assert_cmpint(address_space_read_sized(&address_space_io, 0x10000, 1,
                                             &v), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xff);
    memory_region_finalize(&ram);
    g_assert_cmpuint(address_space_flat_range_count(&address_space_memory),
                     ==, 0);
}

static void test_dump_tree(void)
{
    MemoryRegion root, ram, io, alias;
    GString *out = g_string_new(NULL);
    TestDev *d = testdev_new();

    memory_region_init(&root, NULL, "system", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "pc.ram", 0x100000,
                                         &error_abort));
    memory_region_init_io(&io, NULL, &ops_any, d, "dev", 0x1000);
    memory_region_init_alias(&alias, NULL, "ram-below-4g", &ram, 0x1000,
                             0x2000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0xfee00000, &io, 1000);
    memory_region_add_subregion(&root, 0x100000000ULL, &alias);
    memory_region_set_enabled(&io, false);

    /* subregions print highest priority first, newest first among equals */
    memory_region_dump_tree(out, &root);
    g_assert_cmpstr(out->str, ==,
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    00000000fee00000-00000000fee00fff (prio 1000, i/o): dev "
        "[disabled]\n"
        "    0000000100000000-0000000100001fff (prio 0, ram): alias "
        "ram-below-4g @pc.ram 0000000000001000-0000000000002fff\n"
        "    0000000000000000-00000000000fffff (prio 0, ram): pc.ram\n");
    g_string_free(out, true);
    memory_region_finalize(&alias);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
    testdev_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram/rw", test_ram_rw);
    g_test_add_func("/memory/ram/readonly", test_ram_readonly);
    g_test_add_func("/memory/ram/too-large", test_ram_too_large);
    g_test_add_func("/memory/ram/ptr", test_ram_ptr);
    g_test_add_func("/memory/io/offsets", test_io_offsets);
    g_test_add_func("/memory/io/default-ops", test_io_default_ops);
    g_test_add_func("/memory/io/split", test_io_split);
    g_test_add_func("/memory/io/widen", test_io_widen);
    g_test_add_func("/memory/io/valid-rejects", test_io_valid_rejects);
    g_test_add_func("/memory/io/null-callbacks", test_io_null_callbacks);
    g_test_add_func("/memory/tree/priority", test_priority);
    g_test_add_func("/memory/tree/equal-priority", test_equal_priority);
    g_test_add_func("/memory/tree/nested", test_nested_containers);
    g_test_add_func("/memory/tree/alias", test_alias);
    g_test_add_func("/memory/tree/disabled", test_disabled);
    g_test_add_func("/memory/dispatch/crossing", test_crossing);
    g_test_add_func("/memory/dispatch/overlaid-register",
                    test_overlaid_register);
    g_test_add_func("/memory/dispatch/unassigned", test_unassigned);
    g_test_add_func("/memory/dispatch/top-of-space", test_top_of_space);
    g_test_add_func("/memory/listener/events", test_listener);
    g_test_add_func("/memory/listener/finalize-in-transaction",
                    test_finalize_in_transaction);
    g_test_add_func("/memory/flatview/count", test_flat_view_count);
    g_test_add_func("/memory/address-space/two", test_two_address_spaces);
    g_test_add_func("/memory/address-space/system", test_system_memory);
    g_test_add_func("/memory/dump-tree", test_dump_tree);
    return g_test_run();
}
