# SPDX-License-Identifier: GPL-2.0
"""alloc-kunit: run the project's allocator KUnit suites on a kernel tree.

The package turns "a Debian machine" into results: it installs what is
missing, unpacks a kernel source package, builds a private grafted view of
a kernel tree, runs that tree's kunit.py and writes the results.
"""


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""

    status = 2


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, unwinding like Ctrl-C: kunit.py, make and the
    kernel (a process group of their own) are stopped, partial results
    kept and the build folder released."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum
