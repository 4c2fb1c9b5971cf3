/*
 * KVM: /dev/kvm, the API version check and the VM. Guest CPUs and memory
 * slots come later; machines that need CPUs refuse kvm until then
 * (accel/accel.c).
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvm.h"

static int kvm_fd = -1;
static int kvm_vm_fd = -1;

static int kvm_ioctl_retry(int fd, unsigned long req, unsigned long arg)
{
    int ret;

    do {
        ret = ioctl(fd, req, arg);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

bool kvm_accel_init(Error **errp)
{
    int version, fd, vm;

    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not access KVM kernel module");
        return false;
    }
    version = kvm_ioctl_retry(fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "kvm version not supported: the kernel reports API "
                   "version %d, qvfio needs %d", version, KVM_API_VERSION);
        close(fd);
        return false;
    }
    vm = kvm_ioctl_retry(fd, KVM_CREATE_VM, 0);
    if (vm < 0) {
        error_setg_errno(errp, errno, "ioctl(KVM_CREATE_VM) failed");
        close(fd);
        return false;
    }
    kvm_fd = fd;
    kvm_vm_fd = vm;
    return true;
}

bool kvm_accel_active(void)
{
    return kvm_vm_fd >= 0;
}

void kvm_accel_cleanup(void)
{
    if (kvm_vm_fd >= 0) {
        close(kvm_vm_fd);
        close(kvm_fd);
    }
    kvm_vm_fd = kvm_fd = -1;
}
