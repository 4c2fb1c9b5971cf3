/*
 * fw_cfg, I/O interface: 16-bit selector at 0x510, byte data at 0x511.
 * Items are little-endian blobs; reads past the end return 0.
 */
#ifndef HW_FW_CFG_H
#define HW_FW_CFG_H

#include "qemu/osdep.h"
#include "system/memory.h"

#define FW_CFG_IO_BASE 0x510
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f

typedef struct FWCfgState FWCfgState;

FWCfgState *fw_cfg_init_io(MemoryRegion *io, hwaddr base, Object *owner);
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      size_t len);      /* data is copied */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);
void fw_cfg_free(FWCfgState *s);

#endif
