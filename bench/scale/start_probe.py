#!/usr/bin/env python3
"""Start a command and time it to its listening socket.

    start_probe.py PORT LOG -- COMMAND...

Starts COMMAND (stdin /dev/null, stdout and stderr to LOG), then polls the kernel's socket table
(/proc/net/tcp and tcp6, no connection is made) every 2 ms until a socket in LISTEN state is
bound to PORT. Prints one JSON line: the child's pid, the wall time from just before exec to the
socket, and the CPU time (user + system, all its threads so far) the process had used at that
moment, split into the main thread, the JIT compiler threads and the rest (GC, Netty's threads...),
and how long the main thread waited in the run queue for a CPU (schedstat): on a busy machine, that
wait is most of the wall time.
The process is left running (the caller stops it). Exit 1 if it exits first or 120 s pass.
"""
import json
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def listening(port_hex):
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and fields[1].rsplit(":", 1)[1] == port_hex:
                        return True
        except FileNotFoundError:
            pass
    return False


def cpu_ms(stat_file):
    with open(stat_file) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[11], fields[12]: utime, stime (14th and 15th of the whole line), in clock ticks
    return (int(fields[11]) + int(fields[12])) * 1000 // TICKS


def thread_cpu_ms(pid):
    """CPU by kind of thread, of the threads alive now (the process total also counts ended ones)."""
    split = {"mainMs": 0, "jitMs": 0, "mainRunQueueMs": 0}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            ms = cpu_ms(f"/proc/{pid}/task/{tid}/stat")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if "CompilerThre" in name:
            split["jitMs"] += ms
        elif name == "java":  # the thread that runs main() keeps the launcher's name
            split["mainMs"] += ms
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    split["mainRunQueueMs"] += int(f.read().split()[1]) // 1_000_000
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return split


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    port_hex = "%04X" % port
    with open(log, "ab") as out:
        t0 = time.monotonic()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    while not listening(port_hex):
        if child.poll() is not None:
            print(json.dumps({"pid": child.pid, "exited": child.returncode}))
            return 1
        if time.monotonic() - t0 > 120:
            print(json.dumps({"pid": child.pid, "timeout": True}))
            return 1
        time.sleep(0.002)
    wall = (time.monotonic() - t0) * 1000
    cpu = cpu_ms(f"/proc/{child.pid}/stat")
    print(json.dumps({"pid": child.pid, "wallMs": round(wall), "cpuMs": cpu, **thread_cpu_ms(child.pid)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
