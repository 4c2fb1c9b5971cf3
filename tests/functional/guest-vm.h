/*
 * A whole VM for the functional suite: qvfio (QVFIO_PRODUCT_BINARY) under
 * -accel kvm booting the inner guest (QVFIO_INNER_KERNEL and
 * QVFIO_INNER_INITRD, set by scripts/functional/run-guest), its serial
 * console read line by line, and a QMP monitor on a UNIX socket.
 * The inner guest's /init prints "QVFIO-INNER: WORD ..." lines.
 */
#ifndef GUEST_VM_H
#define GUEST_VM_H

#include "qemu/osdep.h"
#include "libqtest.h"

typedef struct GuestVM GuestVM;

/* Why KVM guests cannot run here (NULL if they can). */
const char *guest_vm_unavailable(void);
/*
 * The address ("0000:00:05.0") of this machine's PCI function
 * @vendor:@device bound to vfio-pci, or NULL (g_free it).
 */
char *guest_vm_host_pci(unsigned vendor, unsigned device);

/*
 * Start qvfio with @args (shell words) after the standard ones:
 * -accel kvm -nographic -kernel -initrd -qmp; @append goes after the
 * console arguments of -append; @trace (NULL: none) are -trace patterns,
 * space-separated, logged to a file of the VM's (guest_vm_trace_count).
 */
GuestVM *guest_vm_start(const char *args, const char *append,
                        const char *trace);
/* How many lines of the trace so far hold @needle. */
unsigned guest_vm_trace_count(GuestVM *vm, const char *needle);
/*
 * The rest of the next "QVFIO-INNER: @word" line (g_free it), waiting up to
 * @timeout_ms; NULL if it did not come or qvfio exited.
 */
char *guest_vm_wait(GuestVM *vm, const char *word, int timeout_ms);
/* Every such line's rest for @word seen so far (NULL-terminated). */
GStrv guest_vm_seen(GuestVM *vm, const char *word);
/* The QMP monitor, negotiated (connects on first use). */
QMPConn *guest_vm_qmp(GuestVM *vm);
/* Exit status, or -1 if qvfio still runs after @timeout_ms. */
int guest_vm_wait_exit(GuestVM *vm, int timeout_ms);
/* Seconds from start to exit (after guest_vm_wait_exit). */
double guest_vm_seconds(GuestVM *vm);
/* Everything qvfio printed (console and stderr). */
const char *guest_vm_output(GuestVM *vm);
/* Kill if still running, reap, free. */
void guest_vm_free(GuestVM *vm);

#endif
