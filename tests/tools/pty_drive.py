#!/usr/bin/env python3
"""Drive a program through a real pty, as a person at a terminal would.

    pty_drive.py ROWS COLS CMD [ARG...]  < STEPS

The program starts on a new pty of ROWS x COLS as its controlling terminal.  STEPS,
one a line:
    send TEXT          write TEXT (Python escapes: \\r, \\x03 ...) to the terminal
    expect REGEX       wait (10 s at most) for REGEX in the output since the last match
    interrupt TEXT => REGEX
                       send ^C, then TEXT, until REGEX shows (30 tries): ^C must stop
                       what runs in the foreground and leave the shell to run TEXT
    winsize ROWS COLS  resize the terminal (the kernel sends SIGWINCH to its foreground)
    raw yes|no         check that the terminal is (not) in raw mode now
    exit N             wait (10 s) for the program's end; its exit status must be N
Prints the whole output to stderr; exits 0 when every step held, 1 otherwise.
"""
import codecs
import fcntl
import os
import re
import select
import struct
import sys
import termios
import time

out = b""
seen = 0


def fail(msg):
    sys.stderr.write(out.decode(errors="replace") + "\n")
    print("pty_drive: " + msg)
    sys.exit(1)


def read_some(fd, timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            return False
        out += data
    return True


def expect(fd, pattern, timeout=10.0):
    global seen
    rx = re.compile(pattern.encode())
    end = time.monotonic() + timeout
    while True:
        m = rx.search(out, seen)
        if m:
            seen = m.end()
            return True
        left = end - time.monotonic()
        if left <= 0 or not read_some(fd, min(left, 0.3)):
            return False


def winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    rows, cols, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    pid, fd = os.forkpty()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    winsize(fd, rows, cols)
    for line in sys.stdin.read().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        verb, _, arg = line.partition(" ")
        if verb == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode())
        elif verb == "expect":
            if not expect(fd, arg):
                fail("expected %r" % arg)
        elif verb == "interrupt":
            # ^C until the line after it runs: the interrupted program may not have
            # started when the first ^C arrives (and a ^C flushes typed-ahead input).
            text, want = arg.split(" => ")
            for _ in range(30):
                os.write(fd, b"\x03")
                time.sleep(0.3)
                os.write(fd, codecs.decode(text, "unicode_escape").encode())
                if expect(fd, want, 1.0):
                    break
            else:
                fail("^C did not interrupt (expected %r)" % want)
        elif verb == "winsize":
            r, c = arg.split()
            winsize(fd, int(r), int(c))
        elif verb == "raw":
            lflag = termios.tcgetattr(fd)[3]
            is_raw = not (lflag & (termios.ICANON | termios.ECHO | termios.ISIG))
            if is_raw != (arg == "yes"):
                fail("the terminal is %sin raw mode" % ("" if is_raw else "not "))
        elif verb == "exit":
            end = time.monotonic() + 10
            while time.monotonic() < end:
                read_some(fd, 0.2)
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
            else:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                fail("the program did not end")
            code = os.waitstatus_to_exitcode(status)
            if code != int(arg):
                fail("exit status %d, expected %s" % (code, arg))
            # After its end: the terminal must be as the program found it.
            lflag = termios.tcgetattr(fd)[3]
            if not (lflag & termios.ICANON and lflag & termios.ECHO):
                fail("the terminal was left in raw mode")
        else:
            fail("unknown step " + line)
    sys.stderr.write(out.decode(errors="replace") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
