/*
 * The KVM accelerator (accel/kvm.c). For now it serves machines without
 * CPUs: the VM exists (so management tools see KVM as enabled) but no
 * vCPU is created.
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* Open /dev/kvm, check the API version and create the VM. */
bool kvm_accel_init(Error **errp);
bool kvm_accel_active(void);
void kvm_accel_cleanup(void);

#endif
