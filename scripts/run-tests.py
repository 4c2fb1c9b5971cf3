#!/usr/bin/env python3
"""Run qvfio's test suites from a meson build directory.

Each test program speaks TAP (GLib's --tap); every TAP case counts. The run
ends with one line "N passed, N failed[, N skipped]" and exits non-zero if
anything failed. A skipped case must say why: its reason is printed.

usage: run-tests.py BUILD_DIR [--suite NAME]... [--jobs N] [--label TEXT]
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

TAP_LINE = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$')


def list_tests(build_dir, suites):
    out = subprocess.run(['meson', 'introspect', '--tests', build_dir],
                         check=True, capture_output=True, text=True).stdout
    tests = json.loads(out)
    if suites:
        tests = [t for t in tests
                 if any(s.split(':')[-1] in suites for s in t['suite'])]
    return tests


def parse_tap(text):
    passed, failed, skipped = [], [], []
    planned = None
    for line in text.splitlines():
        if line.startswith('1..'):
            try:
                planned = int(line[3:].split()[0])
            except ValueError:
                pass
            continue
        m = TAP_LINE.match(line)
        if not m:
            continue
        status, desc = m.group(1), m.group(3)
        if '# SKIP' in desc or '# skip' in desc:
            skipped.append(desc)
        elif status == 'ok':
            passed.append(desc)
        else:
            failed.append(desc)
    return passed, failed, skipped, planned


def run_one(test, timeout_multiplier=1):
    env = dict(os.environ)
    env.update(test.get('env') or {})
    timeout = (test.get('timeout') or 300) * timeout_multiplier
    start = time.monotonic()
    try:
        proc = subprocess.run(test['cmd'], env=env, cwd=test.get('workdir'),
                              capture_output=True, text=True,
                              errors='replace', timeout=timeout)
        out, err, rc = proc.stdout, proc.stderr, proc.returncode
    except OSError as e:
        out, err, rc = '', f'cannot run {test["cmd"][0]}: {e}', -1
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')
        err = f'TIMEOUT after {timeout:g}s'
        rc = -1
    elapsed = time.monotonic() - start
    passed, failed, skipped, planned = parse_tap(out)
    # A crash, a bad exit or a short plan is a failure of its own.
    if rc != 0 and not failed:
        failed.append(f'{test["name"]}: exit status {rc}')
    if planned is not None and len(passed) + len(failed) + len(skipped) < planned and rc == 0:
        failed.append(f'{test["name"]}: ran fewer cases than planned ({planned})')
    if not passed and not failed and not skipped:
        failed.append(f'{test["name"]}: no TAP results')
    return test, passed, failed, skipped, out, err, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build_dir')
    ap.add_argument('--suite', action='append', default=[])
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--label', default='')
    # as meson test's: for slower runs (valgrind) on a busy machine
    ap.add_argument('--timeout-multiplier', type=float, default=1)
    args = ap.parse_args()

    tests = list_tests(args.build_dir, args.suite)
    if not tests:
        print('no tests found', file=sys.stderr)
        print('0 passed, 1 failed')
        return 1
    totals = [0, 0, 0]
    label = f'[{args.label}] ' if args.label else ''

    def report(result):
        test, passed, failed, skipped, out, err, elapsed = result
        totals[0] += len(passed)
        totals[1] += len(failed)
        totals[2] += len(skipped)
        state = 'FAIL' if failed else 'ok'
        print(f'{label}{state:4} {test["name"]:28} {len(passed):4} passed'
              f' {len(failed):3} failed {len(skipped):3} skipped'
              f'  {elapsed:6.1f}s', flush=True)
        for desc in skipped:
            print(f'       skipped: {desc}')
        if failed:
            for desc in failed:
                print(f'       failed: {desc}')
            tail = '\n'.join((out + '\n' + err).splitlines()[-40:])
            print('       --- output (last 40 lines) ---')
            print('\n'.join('       ' + l for l in tail.splitlines()))

    # As meson does: a test that is not parallel (a guest that wants the
    # whole machine) runs alone, after the others.
    parallel = [t for t in tests if t.get('is_parallel', True)]
    alone = [t for t in tests if not t.get('is_parallel', True)]
    def run(test):
        return run_one(test, args.timeout_multiplier)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for result in pool.map(run, parallel):
            report(result)
    for test in alone:
        report(run(test))
    line = f'{totals[0]} passed, {totals[1]} failed'
    if totals[2]:
        line += f', {totals[2]} skipped'
    print(line)
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main())
