/*
 * Direct Linux boot on x86, without firmware (the kernel's
 * Documentation/arch/x86/boot.rst, "32-bit Boot Protocol"): a bzImage's
 * setup header is parsed and checked, the kernel and initrd are opened
 * once, and at every machine reset they are read straight into guest RAM,
 * with the command line, the boot_params "zero page" (<asm/bootparam.h>)
 * and a GDT. The
 * vCPU then starts at the protected-mode kernel in 32-bit protected mode.
 *
 * Where things go (guest-physical):
 *   0x1000    GDT: null, null, flat code (0x10), flat data (0x18)
 *   0x7000    boot_params, one 4 KiB page
 *   0x20000   the command line, NUL-terminated (below 0x80000)
 *   kernel    relocatable: at pref_address, where its decompressor runs
 *             it anyway (or 1 MiB when the header has none); otherwise at
 *             1 MiB. It then needs init_size bytes of RAM from its run
 *             address.
 *   initrd    page-aligned, as high as allowed: below initrd_addr_max,
 *             the end of the RAM that holds 1 MiB and any mem= limit,
 *             above everything the kernel needs.
 * Nothing else is written: 0x9FC00-0xFFFFF (EBDA, ACPI tables, RSDP) and
 * the rest of RAM belong to the machine.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <asm/bootparam.h>

#define X86_BOOT_GDT_ADDR           0x1000
#define X86_BOOT_ZERO_PAGE_ADDR     0x7000
#define X86_BOOT_CMDLINE_ADDR       0x20000
#define X86_BOOT_CMDLINE_END        0x80000
#define X86_BOOT_KERNEL_LOW_ADDR    0x100000    /* bzImage: 1 MiB */

/* The oldest protocol with LOADED_HIGH bzImages and cmdline_size. */
#define X86_BOOT_MIN_PROTOCOL       0x0206

/* Segment selectors of the 32-bit entry (__BOOT_CS, __BOOT_DS). */
#define X86_BOOT_CS                 0x10
#define X86_BOOT_DS                 0x18
#define X86_BOOT_GDT_ENTRIES        4

/*
 * Address range types of the e820 map (the ACPI spec's numbering; the
 * kernel's UAPI header that named them is not in every linux-libc-dev).
 */
typedef enum X86E820Type {
    X86_E820_RAM = 1,
    X86_E820_RESERVED = 2,
    X86_E820_ACPI = 3,
    X86_E820_NVS = 4,
    X86_E820_UNUSABLE = 5,
    X86_E820_PMEM = 7,
} X86E820Type;

/*
 * The memory map the machine gives the guest, sorted by address, ranges
 * disjoint; neighbours of one type are merged. It holds what the zero
 * page holds (E820_MAX_ENTRIES_ZEROPAGE ranges).
 */
typedef struct X86E820Table {
    unsigned count;
    struct boot_e820_entry entries[E820_MAX_ENTRIES_ZEROPAGE];
} X86E820Table;

void x86_e820_init(X86E820Table *t);
/*
 * Add [addr, addr + size) of @type. Fails for an empty or wrapping range,
 * one that overlaps a range already there, or a full table.
 */
bool x86_e820_add(X86E820Table *t, uint64_t addr, uint64_t size,
                  uint32_t type, Error **errp);
/* The entry that holds all of [addr, addr + size), or NULL. */
const struct boot_e820_entry *x86_e820_find(const X86E820Table *t,
                                            uint64_t addr, uint64_t size);

/*
 * What the loader takes from a bzImage's setup header, checked: the
 * header bytes themselves (the zero page starts from a copy), and where
 * the protected-mode kernel goes and how much RAM it needs there.
 */
typedef struct X86BootHeader {
    struct setup_header raw;    /* as in the file; zero past its end */
    uint16_t protocol;          /* 0x020f is 2.15 */
    unsigned setup_sects;       /* 0 in the file reads as 4 */
    uint32_t setup_size;        /* file offset of the protected-mode kernel */
    uint64_t kernel_size;       /* bytes of it to load (syssize * 16) */
    bool relocatable;
    bool kernel_64;             /* XLF_KERNEL_64; the 32-bit entry takes both */
    uint32_t kernel_alignment;  /* a power of two when relocatable */
    uint64_t pref_address;      /* 0 before protocol 2.10 */
    uint32_t init_size;         /* 0 before protocol 2.10: unknown */
    uint32_t initrd_addr_max;   /* highest byte an initrd may occupy */
    uint32_t cmdline_size;      /* longest command line, without the NUL */
    /* Placement (guest-physical), decided from the fields above. */
    uint64_t load_addr;         /* where the protected-mode kernel is put */
    uint64_t run_addr;          /* where it decompresses and runs */
    uint64_t span_start;        /* RAM it needs: [span_start, span_end) */
    uint64_t span_end;
} X86BootHeader;

/*
 * Parse and check the start of a kernel file (@buf, @len bytes; any bytes
 * are safe). @name names the file in error messages.
 */
bool x86_boot_parse_header(const void *buf, size_t len, const char *name,
                           X86BootHeader *hdr, Error **errp);

/* vid_mode for a command line's vga= (normal, ext, ask or a number). */
uint16_t x86_boot_cmdline_vid_mode(const char *cmdline);
/* The RAM limit a command line's last mem=SIZE sets, or 0 without one. */
uint64_t x86_boot_cmdline_mem_limit(const char *cmdline);

/*
 * A segment as the vCPU loads it (the fields of KVM's struct kvm_segment)
 * and as the GDT describes it.
 */
typedef struct X86BootSegment {
    uint16_t selector;
    uint32_t base;
    uint32_t limit;             /* in bytes: 0xffffffff for 4 GiB */
    uint8_t type;               /* 0xb code execute/read, 0x3 data read/write */
    uint8_t dpl;
    bool present;
    bool s;                     /* code or data (not system) */
    bool db;                    /* 32-bit */
    bool g;                     /* limit in 4 KiB units */
} X86BootSegment;

/* The 8-byte GDT descriptor of @seg (its selector aside). */
uint64_t x86_boot_gdt_descriptor(const X86BootSegment *seg);

/* Where the loader put things (guest-physical). */
typedef struct X86BootLayout {
    uint64_t kernel_addr;       /* kernel_size bytes of the file */
    uint64_t kernel_size;
    uint64_t kernel_span_end;   /* end of the RAM the kernel needs */
    uint64_t initrd_addr;       /* 0 without an initrd */
    uint64_t initrd_size;
    uint64_t cmdline_addr;
    uint64_t cmdline_size;      /* with the NUL */
} X86BootLayout;

/*
 * The vCPU state at the 32-bit entry: protected mode (CR0.PE), paging
 * off, interrupts off (EFLAGS = 0x2), GDTR = gdt_base/gdt_limit, CS = cs,
 * DS = ES = SS = FS = GS = ds, EIP = eip, ESI = esi (the zero page) and
 * every other general register zero (the protocol needs EBX, EBP and EDI
 * zero). TR, LDTR and IDTR keep their reset values: the kernel loads its
 * own before it enables interrupts.
 */
typedef struct X86BootEntry {
    uint32_t eip;
    uint32_t esi;
    uint32_t cr0;
    uint32_t eflags;
    uint32_t gdt_base;
    uint16_t gdt_limit;
    X86BootSegment cs;
    X86BootSegment ds;
    X86BootLayout layout;
} X86BootEntry;

/* What the machine gives the loader. */
typedef struct X86BootConfig {
    /*
     * The guest's memory map; its RAM range that holds 1 MiB is where the
     * kernel and the initrd may go.
     */
    const X86E820Table *e820;
    uint64_t acpi_rsdp_addr;    /* 0: none */
} X86BootConfig;

/*
 * A kernel, an optional initrd and a command line, opened and checked
 * once. The files stay open, so every load reads the same files even if
 * they were replaced (renamed over) meanwhile; a file changed in place
 * to another size is refused at the next load. Their bytes go straight
 * into guest RAM and are never kept in qvfio's own memory.
 */
typedef struct X86BootImage X86BootImage;

X86BootImage *x86_boot_image_new(const char *kernel_path,
                                 const char *initrd_path,
                                 const char *cmdline, Error **errp);
void x86_boot_image_free(X86BootImage *img);
const X86BootHeader *x86_boot_image_header(const X86BootImage *img);
/*
 * Write the image into guest RAM (address_space_memory) for @cfg and fill
 * @entry. At machine creation and at every reset, before the vCPU runs.
 */
bool x86_boot_image_load(const X86BootImage *img, const X86BootConfig *cfg,
                         X86BootEntry *entry, Error **errp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(X86BootImage, x86_boot_image_free)

#endif
