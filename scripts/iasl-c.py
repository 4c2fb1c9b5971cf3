#!/usr/bin/env python3
"""Compile an ASL file with iasl and write the AML as a C array.

    iasl-c.py IASL NAME INPUT OUTPUT [IASL-OPTION...]

OUTPUT declares `static const uint8_t NAME[]` holding the AML, for a C
file to include. iasl treats warnings as errors; its report is shown only
when it fails, so a good build stays quiet.
"""
import os
import subprocess
import sys
import tempfile


def compile_asl(iasl, src, options):
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, 'out')
        cmd = [iasl, '-vs', '-we', *options, '-p', prefix, src]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not os.path.exists(prefix + '.aml'):
            sys.stderr.write(proc.stdout)
            sys.exit(f'iasl-c.py: {" ".join(cmd)} failed '
                     f'(exit status {proc.returncode})')
        with open(prefix + '.aml', 'rb') as f:
            return f.read()


def write_c_array(name, src, data, dst):
    rows = []
    for i in range(0, len(data), 12):
        rows.append('    ' + ' '.join(f'0x{b:02x},' for b in data[i:i + 12]))
    with open(dst, 'w', encoding='utf-8') as f:
        f.write(f'/* Generated from {os.path.basename(src)} by '
                'scripts/iasl-c.py; do not edit. */\n')
        f.write(f'static const uint8_t {name}[] = {{\n')
        f.write('\n'.join(rows) + '\n};\n')


def main():
    if len(sys.argv) < 5:
        sys.exit('usage: iasl-c.py IASL NAME INPUT OUTPUT [IASL-OPTION...]')
    iasl, name, src, dst, *options = sys.argv[1:]
    write_c_array(name, src, compile_asl(iasl, src, options), dst)


if __name__ == '__main__':
    main()
