#!/usr/bin/env python3
"""libvirt itself as a client of qvfio (Debian 12's libvirt 9.0).

usage: libvirt-test.py QVFIO_SYSTEM_BINARY

Runs as root. Installs libvirt-daemon, libvirt-daemon-driver-qemu and
libvirt-clients when they are missing (apt-get), then, inside a private
mount namespace (unshare -m), gives libvirt a configuration of its own:
/etc/libvirt, /run/libvirt, /var/cache/libvirt, /var/lib/libvirt and
/var/log/libvirt are private directories, and the libvirt-qemu user that
libvirt's QEMU driver resolves at start-up is added to a private copy of
/etc/passwd. The host's own libvirt, if any, is not touched. Where no
mount namespace can be had, it falls back to the host's paths (qemu.conf
saved and restored, the user created with useradd, libvirt's state
directories left as libvirtd made them; the environment variable
QVFIO_LIBVIRT_TEST_HOST_PATHS=1 asks for this).

It starts virtlogd and libvirtd directly (no systemd), asks

    virsh domcapabilities --emulatorbin QVFIO --virttype kvm

and checks what libvirt concluded from its probe of qvfio (the domain
capabilities, the capability cache under /var/cache/libvirt/qemu/) and
what it asked (its debug log, log_filters "1:qemu"). The daemons are
stopped at the end, whatever happened.

Prints TAP, one case per check; exits 0 only if every case passed.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

PACKAGES = ['libvirt-daemon', 'libvirt-daemon-driver-qemu', 'libvirt-clients']
PRIVATE_DIRS = ['/etc/libvirt', '/run/libvirt', '/var/cache/libvirt',
                '/var/lib/libvirt', '/var/log/libvirt']
QEMU_USER = 'libvirt-qemu'
QEMU_CONF = '''# qvfio's libvirt test: the QEMU driver runs emulators as root,
# changes no ownership, no namespaces, no cgroups, no security driver.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
namespaces = [ ]
cgroup_controllers = [ ]
security_driver = "none"
'''
URI = 'qemu:///system'
HOST_MNTNS = 'QVFIO_LIBVIRT_TEST_HOST_MNTNS'   # the caller's mount namespace
TIMEOUT = 60


class Tap:
    def __init__(self, start=1):
        self.n = start - 1
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print(f'{"ok" if cond else "not ok"} {self.n} - {desc}', flush=True)
        if not cond:
            self.failed += 1
            for line in (diag or '').strip().splitlines()[-30:]:
                self.diag(line)
        return cond

    def skip(self, desc, reason):
        self.n += 1
        print(f'ok {self.n} - {desc} # SKIP {reason}', flush=True)

    @staticmethod
    def diag(text):
        for line in str(text).splitlines():
            print(f'# {line}', flush=True)

    def finish(self):
        print(f'1..{self.n}', flush=True)
        return 1 if self.failed else 0


def run(cmd, timeout=TIMEOUT, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              errors='replace', timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(
            cmd, -1, e.stdout or '', f'timed out after {timeout}s')


# Outside the namespace: packages, then re-run inside one

def missing_packages():
    missing = []
    for p in PACKAGES:
        r = run(['dpkg-query', '-W', '-f=${Status}', p])
        if 'ok installed' not in r.stdout:
            missing.append(p)
    return missing


def install_packages(tap):
    missing = missing_packages()
    if not missing:
        return tap.ok(True, 'libvirt packages installed: ' + ' '.join(PACKAGES))
    if not shutil.which('apt-get') or not shutil.which('dpkg-query'):
        print('1..0 # SKIP libvirt is not installed and there is no apt-get '
              'to install it (' + ' '.join(missing) + ')', flush=True)
        sys.exit(0)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    cmd = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends']
    r = run(cmd + missing, timeout=600, env=env)
    if r.returncode:
        # The package lists may be missing or old: refresh them once.
        run(['apt-get', 'update', '-qq'], timeout=300, env=env)
        r = run(cmd + missing, timeout=600, env=env)
    still = missing_packages()
    return tap.ok(not still, 'libvirt packages installed: ' + ' '.join(missing),
                  r.stdout + r.stderr)


def mount_points():
    points = set()
    with open('/proc/self/mountinfo') as f:
        for line in f:
            field = line.split()[4]
            points.add(re.sub(r'\\([0-7]{3})',
                              lambda m: chr(int(m.group(1), 8)), field))
    return points


def remove_tree(path):
    """rm -rf @path, never entering a mount point or another file system."""
    try:
        dev = os.lstat(path).st_dev
    except OSError:
        return
    mounts = mount_points()
    dirs, files = [], []
    for dirpath, dirnames, filenames in os.walk(path):
        dirs.append(dirpath)
        files += [os.path.join(dirpath, f) for f in filenames]
        keep = []
        for d in dirnames:
            sub = os.path.join(dirpath, d)
            if os.path.islink(sub):
                files.append(sub)
            elif (os.lstat(sub).st_dev == dev and
                  os.path.realpath(sub) not in mounts):
                keep.append(d)
        dirnames[:] = keep
    for f in files:
        try:
            os.unlink(f)
        except OSError:
            pass
    for d in reversed(dirs):
        try:
            os.rmdir(d)
        except OSError:
            pass


def outer(binary):
    tap = Tap()
    if os.geteuid() != 0:
        print('1..0 # SKIP libvirt\'s system daemon must run as root here '
              '(run this test as root)', flush=True)
        return 0
    if not install_packages(tap):
        return tap.finish()
    # A private mount namespace, if this machine lets us make one.
    unshare = shutil.which('unshare')
    probe = run([unshare, '--mount', '--propagation', 'private', 'true'],
                timeout=10) if unshare else None
    mode = 'namespace' if probe is not None and probe.returncode == 0 \
        else 'host'
    if os.environ.get('QVFIO_LIBVIRT_TEST_HOST_PATHS'):  # tests the fallback
        mode = 'host'
        Tap.diag('QVFIO_LIBVIRT_TEST_HOST_PATHS: using the host\'s paths')
    elif mode == 'host':
        Tap.diag('no mount namespace (' + (probe.stderr.strip() if probe
                                           else 'no unshare') +
                 '): using the host\'s libvirt paths')
    # The inner part's files; removed from out here, where none of its
    # mounts exist.
    root = tempfile.mkdtemp(prefix='qvfio-libvirt-')
    cmd = [sys.executable, os.path.abspath(__file__), '--inner',
           str(tap.n + 1), binary, mode, root]
    if mode == 'namespace':
        cmd = [unshare, '--mount', '--propagation', 'private', '--'] + cmd
    child = subprocess.Popen(cmd, env=dict(
        os.environ, **{HOST_MNTNS: os.readlink('/proc/self/ns/mnt')}))

    def forward(signum, frame):
        child.send_signal(signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    try:
        while True:
            try:
                rc = child.wait()
                break
            except InterruptedError:
                continue
    finally:
        remove_tree(root)
    return rc


# Inside: a private libvirt

def mount(*args):
    r = run(['mount'] + list(args), timeout=20)
    if r.returncode:
        raise RuntimeError(f'mount {" ".join(args)}: {r.stderr.strip()}')


def user_exists(name):
    return run(['getent', 'passwd', name]).returncode == 0


class Env:
    """Where libvirt's files are, and what to undo at the end."""

    def __init__(self, mode, root):
        self.mode = mode
        self.root = root
        self.created_dirs = []      # host mount points we made (emptied)
        self.saved_qemu_conf = None
        self.logd_pid = None
        self.libvirtd_pid = None
        self.run_dir = '/run/libvirt'
        self.log_file = None

    # -- setup

    def setup(self):
        if self.mode == 'namespace':
            self.setup_namespace()
        else:
            self.setup_host()

    def setup_namespace(self):
        for d in PRIVATE_DIRS:
            if not os.path.isdir(d):
                os.makedirs(d)
                self.created_dirs.append(d)
            src = os.path.join(self.root, d.strip('/').replace('/', '_'))
            os.makedirs(src)
            mount('--bind', src, d)
        if not user_exists(QEMU_USER):
            # Only this namespace sees the user.
            for name, line in (('passwd', f'{QEMU_USER}:x:64055:64055:'
                                'Libvirt Qemu:/var/lib/libvirt:'
                                '/usr/sbin/nologin\n'),
                               ('group', f'{QEMU_USER}:x:64055:\n')):
                copy = os.path.join(self.root, name)
                shutil.copyfile(f'/etc/{name}', copy)
                with open(copy, 'a') as f:
                    f.write(line)
                mount('--bind', copy, f'/etc/{name}')
        self.write_configs('/etc/libvirt', '/var/log/libvirt')

    def setup_host(self):
        for d in PRIVATE_DIRS:
            if not os.path.isdir(d):
                os.makedirs(d)
        conf = '/etc/libvirt/qemu.conf'
        if os.path.exists(conf):
            self.saved_qemu_conf = os.path.join(self.root, 'qemu.conf.saved')
            shutil.copy2(conf, self.saved_qemu_conf)
        if not user_exists(QEMU_USER):
            r = run(['useradd', '--system', '--no-create-home',
                     '--home-dir', '/var/lib/libvirt', '--shell',
                     '/usr/sbin/nologin', QEMU_USER])
            if r.returncode:
                raise RuntimeError(f'useradd {QEMU_USER}: {r.stderr}')
        # Sockets and logs of our own; qemu.conf has no other place.
        self.run_dir = os.path.join(self.root, 'run')
        os.makedirs(self.run_dir)
        with open(conf, 'w') as f:
            f.write(QEMU_CONF)
        self.write_configs(self.root, self.root, qemu_conf=False)

    def write_configs(self, etc, logdir, qemu_conf=True):
        self.log_file = os.path.join(logdir, 'libvirtd.log')
        if qemu_conf:
            with open(os.path.join(etc, 'qemu.conf'), 'w') as f:
                f.write(QEMU_CONF)
        self.libvirtd_conf = os.path.join(etc, 'libvirtd.conf')
        with open(self.libvirtd_conf, 'w') as f:
            f.write(f'unix_sock_dir = "{self.run_dir}"\n'
                    'log_filters = "1:qemu 1:util.command"\n'
                    f'log_outputs = "1:file:{self.log_file}"\n')
        self.virtlogd_conf = os.path.join(etc, 'virtlogd.conf')
        with open(self.virtlogd_conf, 'w') as f:
            f.write(f'log_outputs = "3:file:{logdir}/virtlogd.log"\n')

    @property
    def uri(self):
        if self.mode == 'namespace':
            return URI
        return f'{URI}?socket={self.run_dir}/libvirt-sock'

    # -- daemons

    def start_daemons(self, tap):
        logd_pidfile = os.path.join(self.root, 'virtlogd.pid')
        r = run(['virtlogd', '--daemon', '--config', self.virtlogd_conf,
                 '--pid-file', logd_pidfile])
        self.logd_pid = read_pid(logd_pidfile)
        if not tap.ok(r.returncode == 0 and self.logd_pid,
                      'virtlogd started (virtlogd --daemon)',
                      r.stdout + r.stderr):
            return False
        pidfile = os.path.join(self.root, 'libvirtd.pid')
        t0 = time.monotonic()
        r = run(['libvirtd', '--daemon', '--config', self.libvirtd_conf,
                 '--pid-file', pidfile])
        self.libvirtd_pid = read_pid(pidfile)
        ready = None
        while r.returncode == 0 and time.monotonic() - t0 < TIMEOUT:
            ready = run(['virsh', '-c', self.uri, 'uri'], timeout=20)
            if ready.returncode == 0 or not alive(self.libvirtd_pid):
                break
            time.sleep(0.2)
        good = (r.returncode == 0 and ready is not None and
                ready.returncode == 0)
        return tap.ok(good, f'libvirtd started and answers virsh '
                      f'({time.monotonic() - t0:.1f}s)',
                      r.stdout + r.stderr +
                      (ready.stderr if ready else '') + self.log_tail())

    def stop_daemons(self):
        stopped = True
        for pid, exe in ((self.libvirtd_pid, 'libvirtd'),
                         (self.logd_pid, 'virtlogd')):
            if pid:
                stopped &= stop_pid(pid, exe)
        self.libvirtd_pid = self.logd_pid = None
        return stopped

    def log_tail(self):
        try:
            with open(self.log_file, errors='replace') as f:
                return ''.join(l for l in f.readlines()
                               if ' error : ' in l)[-3000:]
        except OSError:
            return ''

    def cleanup(self):
        self.stop_daemons()
        if self.mode == 'host':
            conf = '/etc/libvirt/qemu.conf'
            if self.saved_qemu_conf:
                shutil.copy2(self.saved_qemu_conf, conf)
            else:
                os.unlink(conf)
        else:
            # Leaving the namespace drops the mounts; unmount what hides
            # the (empty) mount points we made, so that they can go too.
            # Nothing is deleted here: some of our mounts are the host's
            # own files (/dev). The caller removes self.root from outside.
            for d in reversed(self.created_dirs):
                run(['umount', '-l', d], timeout=20)
                try:
                    os.rmdir(d)
                except OSError:
                    pass


def read_pid(path):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    return None


def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return False


def stop_pid(pid, exe):
    """SIGTERM the daemon we started (only if @pid still is @exe)."""
    try:
        if os.path.basename(os.readlink(f'/proc/{pid}/exe')) != exe:
            return True
    except OSError:
        return True
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return sig == signal.SIGTERM
            time.sleep(0.05)
    return False


# What libvirt asked and concluded

def parse_monitor_log(path):
    """(requests, replies): libvirt's QMP traffic with its probe."""
    sent, replies = [], {}
    send = re.compile(r'QEMU_MONITOR_SEND_MSG: mon=\S+ msg=(\{.*\})\s*$')
    recv = re.compile(r'QEMU_MONITOR_RECV_REPLY: mon=\S+ reply=(\{.*\})\s*$')
    with open(path, errors='replace') as f:
        for line in f:
            m = send.search(line)
            if m:
                sent.append(json.loads(m.group(1)))
                continue
            m = recv.search(line)
            if m:
                msg = json.loads(m.group(1))
                replies[msg.get('id')] = msg
    return sent, replies


def probe_cmdline(path, binary):
    with open(path, errors='replace') as f:
        for line in f:
            if 'About to run' in line and binary in line:
                return line.split(binary, 1)[1].strip()
    return None


def enum_values(root, path, name):
    node = root.find(f"{path}/enum[@name='{name}']")
    return None if node is None else [v.text for v in node.findall('value')]


def host_vfio():
    groups = '/sys/kernel/iommu_groups'
    return (os.path.isdir(groups) and bool(os.listdir(groups)) and
            os.path.exists('/dev/vfio/vfio'))


def kvm_usable():
    try:
        os.close(os.open('/dev/kvm', os.O_RDWR | os.O_CLOEXEC))
        return True
    except OSError:
        return False


def leftover_probes(binary):
    """qvfio processes of libvirt's probe still alive (it kills them)."""
    real = os.path.realpath(binary)
    left = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            if os.path.realpath(f'/proc/{pid}/exe') != real:
                continue
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if '/libvirt/qemu/' in cmd and alive(int(pid)):
            left.append(f'{pid}: {cmd}')
    return left


def domcapabilities(env, binary, virttype):
    t0 = time.monotonic()
    r = run(['virsh', '-c', env.uri, 'domcapabilities', '--emulatorbin',
             binary, '--virttype', virttype])
    return r, time.monotonic() - t0


def check_domcaps(tap, env, binary):
    r, secs = domcapabilities(env, binary, 'kvm')
    if not kvm_usable():
        # qvfio says so (query-kvm), and libvirt then offers no kvm domain.
        tap.ok(r.returncode != 0 and 'kvm' in r.stderr.lower(),
               'without a usable /dev/kvm, libvirt offers no kvm domain',
               r.stdout + r.stderr)
        tap.skip('hostdev support', 'no usable /dev/kvm on this host')
        return None
    if not tap.ok(r.returncode == 0,
                  f'virsh domcapabilities --emulatorbin {binary} '
                  f'--virttype kvm succeeds ({secs:.1f}s, probe included)',
                  r.stdout + r.stderr + env.log_tail()):
        return None
    try:
        root = ET.fromstring(r.stdout)
    except ET.ParseError as e:
        tap.ok(False, 'domain capabilities are XML', f'{e}\n{r.stdout}')
        return None
    tap.ok(root.findtext('path') == binary and
           root.findtext('domain') == 'kvm' and
           root.findtext('arch') == 'x86_64' and
           root.findtext('machine') == 'pc-q35-10.1',
           'domain capabilities: kvm, x86_64, machine pc-q35-10.1 (q35)',
           r.stdout)
    hostdev = root.find('devices/hostdev')
    subsys = enum_values(root, 'devices/hostdev', 'subsysType') or []
    tap.ok(hostdev is not None and hostdev.get('supported') == 'yes' and
           enum_values(root, 'devices/hostdev', 'mode') == ['subsystem'] and
           'pci' in subsys,
           "<hostdev supported='yes'> with mode subsystem, subsysType pci",
           r.stdout)
    # libvirt lists the vfio backend where qvfio has vfio-pci *and* the
    # host has an IOMMU and /dev/vfio/vfio (qemuHostdevHostSupportsPassthroughVFIO).
    backends = enum_values(root, 'devices/hostdev', 'pciBackend')
    if host_vfio():
        tap.ok(backends is not None and 'vfio' in backends,
               "pciBackend lists vfio (this host has an IOMMU and VFIO)",
               r.stdout)
    else:
        tap.ok(backends == [],
               'pciBackend is empty: this host has no IOMMU groups or no '
               '/dev/vfio/vfio, which libvirt checks itself', r.stdout)
    # Never a CPU emulator: libvirt must not offer qemu (TCG) domains.
    r2, _ = domcapabilities(env, binary, 'qemu')
    tap.ok(r2.returncode != 0,
           'virsh domcapabilities --virttype qemu fails: qvfio has no CPU '
           'emulator (TCG)', r2.stdout + r2.stderr)
    return root


def check_cache(tap, binary):
    """The capability cache: what libvirt concluded from its probe."""
    found = None
    cache = '/var/cache/libvirt/qemu/capabilities'
    for name in sorted(os.listdir(cache)) if os.path.isdir(cache) else []:
        try:
            root = ET.parse(os.path.join(cache, name)).getroot()
        except ET.ParseError:
            continue
        if root.findtext('emulator') == binary:
            found = root
    if not tap.ok(found is not None,
                  f'capability cache for qvfio in {cache}'):
        return
    flags = {f.get('name') for f in found.findall('flag')}
    want = {'vfio-pci', 'device.json+hotplug', 'kvm'}
    tap.ok(want <= flags, 'libvirt concluded: ' + ', '.join(sorted(want)),
           'flags: ' + ' '.join(sorted(flags)))
    machines = [(m.get('type'), m.get('name')) for m in found.findall('machine')]
    tap.ok('tcg' not in flags and all(t == 'kvm' for t, _ in machines) and
           ('kvm', 'pc-q35-10.1') in machines,
           'no TCG: machines only for kvm, no tcg flag',
           f'machines: {machines}\nflags: {" ".join(sorted(flags))}')
    Tap.diag(f'capability flags: {" ".join(sorted(flags))}')
    Tap.diag('version ' + (found.findtext('version') or '?') + ', package ' +
             (found.findtext('package') or '?'))


def check_questions(tap, env, binary):
    """What libvirt asked qvfio, from its own debug log."""
    cmdline = probe_cmdline(env.log_file, binary)
    want = ['-S', '-no-user-config', '-nodefaults', '-nographic',
            '-machine none,accel=kvm:tcg', '-daemonize']
    tap.ok(cmdline is not None and all(w in cmdline for w in want),
           'libvirt probed qvfio with -machine none,accel=kvm:tcg '
           '-daemonize', cmdline or 'no probe command line in the log')
    sent, replies = parse_monitor_log(env.log_file)
    unanswered = [m for m in sent if m.get('id') not in replies]
    errors = []
    for m in sent:
        rep = replies.get(m.get('id'), {})
        if 'error' in rep:
            arg = (m.get('arguments') or {}).get('typename', '')
            errors.append((m['execute'], arg, rep['error'].get('class'),
                           rep['error'].get('desc')))
    tap.ok(sent and not unanswered,
           f'libvirt asked {len(sent)} questions, each got its answer',
           '\n'.join(str(m) for m in unanswered))
    # An error is right only where QEMU gives one too: a device type qvfio
    # does not have.
    tap.ok(all(e[2] == 'DeviceNotFound' for e in errors),
           f'{len(errors)} answers are errors, each DeviceNotFound for a '
           'type qvfio does not have',
           '\n'.join(str(e) for e in errors))
    Tap.diag('asked: ' + ' '.join(
        m['execute'] + (f'({m["arguments"]["typename"]})'
                        if 'typename' in (m.get('arguments') or {}) else '')
        for m in sent))
    Tap.diag('not found: ' + ' '.join(e[1] for e in errors))
    left = leftover_probes(binary)
    tap.ok(not left, 'libvirt ended its probe process', '\n'.join(left))


def simulate_vfio_host(root):
    """
    In this mount namespace only: the two host facts libvirt checks before
    it lists the vfio backend, an IOMMU group and /dev/vfio/vfio. /dev is
    rebuilt on a tmpfs from bind mounts of the host's entries.
    """
    if os.readlink('/proc/self/ns/mnt') == os.environ.get(HOST_MNTNS):
        raise RuntimeError('not in a private mount namespace')
    groups = '/sys/kernel/iommu_groups'
    if not os.path.isdir(groups):
        raise RuntimeError(f'{groups} does not exist')
    mount('-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', groups)
    os.mkdir(os.path.join(groups, '0'))
    if os.path.exists('/dev/vfio/vfio'):
        return
    hostdev = os.path.join(root, 'hostdev')
    os.mkdir(hostdev)
    mount('--rbind', '/dev', hostdev)
    mount('-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', '/dev')
    for name in os.listdir(hostdev):
        src, dst = os.path.join(hostdev, name), os.path.join('/dev', name)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isdir(src):
            os.mkdir(dst)
            mount('--rbind', src, dst)
        else:
            open(dst, 'w').close()
            mount('--bind', src, dst)
    os.mkdir('/dev/vfio')
    open('/dev/vfio/vfio', 'w').close()


def check_simulated_vfio(tap, env, binary):
    desc = ("with an IOMMU and /dev/vfio/vfio (simulated in the test's mount "
            "namespace), pciBackend lists vfio")
    if env.mode != 'namespace':
        tap.skip(desc, 'no private mount namespace to simulate them in')
        return
    if host_vfio():
        tap.skip(desc, 'not needed: the host has them (checked above)')
        return
    try:
        simulate_vfio_host(env.root)
    except (OSError, RuntimeError) as e:
        tap.ok(False, desc, str(e))
        return
    r, _ = domcapabilities(env, binary, 'kvm')
    try:
        root = ET.fromstring(r.stdout)
        backends = enum_values(root, 'devices/hostdev', 'pciBackend')
    except ET.ParseError:
        backends = None
    tap.ok(r.returncode == 0 and backends == ['default', 'vfio'], desc,
           r.stdout + r.stderr)


def inner(start, binary, mode, root):
    tap = Tap(start)
    env = Env(mode, root)

    def on_signal(signum, frame):
        raise SystemExit(f'signal {signum}')
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    t0 = time.monotonic()
    try:
        try:
            env.setup()
            tap.ok(True, f'private libvirt configuration ({mode}): '
                   'qemu.conf runs emulators as root, no namespaces, '
                   f'cgroups or security driver; user {QEMU_USER} exists')
        except (OSError, RuntimeError) as e:
            tap.ok(False, f'private libvirt configuration ({mode})', str(e))
            return tap.finish()
        if env.start_daemons(tap):
            root = check_domcaps(tap, env, binary)
            if root is not None:
                check_cache(tap, binary)
                check_questions(tap, env, binary)
                check_simulated_vfio(tap, env, binary)
        tap.ok(env.stop_daemons(), 'libvirtd and virtlogd stopped (SIGTERM)')
    finally:
        env.cleanup()
    Tap.diag(f'libvirt test took {time.monotonic() - t0:.1f}s')
    return tap.finish()


def main():
    if len(sys.argv) == 6 and sys.argv[1] == '--inner':
        return inner(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print(f'usage: {sys.argv[0]} QVFIO_SYSTEM_BINARY', file=sys.stderr)
        print('1..0 # SKIP no qvfio binary given')
        return 1
    return outer(os.path.abspath(sys.argv[1]))


if __name__ == '__main__':
    sys.exit(main())
