/*
 * The qtest line protocol (system/qtest.c): the input is a list of
 * request lines against fuzz_pci_machine_init's machine (q35, vfio-pci on
 * the fake backend, the test PCI device). Every request gets a reply
 * whose last line starts with OK, FAIL or ERR (IRQ lines may come first).
 * The main loop runs between requests, as it does between a client's
 * packets; the machine is reset after each input.
 */
#include "qemu/osdep.h"
#include "system/qtest.h"
#include "fuzz-util.h"

/* Still wide enough to cross 16 functions of MMCONFIG. */
#define FUZZ_QTEST_MAX_SIZE (64 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_pci_machine_init();
    qtest_set_max_size(FUZZ_QTEST_MAX_SIZE);
    return 0;
}

static void check_reply(const char *request, const char *reply)
{
    const char *last = strrchr(reply, '\n');

    last = last ? last + 1 : reply;
    if (!g_str_has_prefix(last, "OK") && !g_str_has_prefix(last, "FAIL") &&
        !g_str_has_prefix(last, "ERR")) {
        fuzz_fail("request '%.200s' got reply '%.200s'", request, reply);
    }
    for (const char *p = reply; p < last; p = strchr(p, '\n') + 1) {
        if (!g_str_has_prefix(p, "IRQ ")) {
            fuzz_fail("request '%.200s': extra reply line '%.200s'",
                      request, p);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (char **line = lines; *line; line++) {
        g_autofree char *reply = qtest_process_line(*line);

        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "%s -> %s\n", *line, reply);
        }
        check_reply(*line, reply);
        /* As between the requests of a client: interrupts get delivered. */
        fuzz_main_loop_drain();
    }
    /* Back to the machine of the next input's expectations. */
    qtest_server_cleanup();
    fuzz_pci_machine_reset("after a qtest session");
    return 0;
}
