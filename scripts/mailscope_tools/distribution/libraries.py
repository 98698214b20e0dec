"""Which shared libraries a mailscope binary needs, and which Debian packages provide them: the
Depends of the .deb is read off the built binary, not written by hand, so a library a change
adds (libcurl with FoundationNetworking, libpq with a PostgreSQL backend) reaches Depends.

  needed(binary)      the NEEDED entries of its dynamic section (objdump -p)
  resolved(binary)    where the loader finds each (ldd)
  toolchain_libraries(...)  any of them that belongs to a Swift toolchain: a binary a server
                      without Swift cannot run
  packages(binary)    {soname: Debian package} through dpkg -S
  depends(binary)     the Depends line: dpkg-shlibdeps' versioned one when dpkg-dev is
                      installed (checked to name exactly those packages), else the names"""

import os
import re
import shutil
import subprocess
import tempfile

# Libraries of the Swift runtime and corelibs; none may be loaded from outside the binary.
SWIFT_LIBRARY = re.compile(r"^(libswift\w*|libFoundation\w*|lib_Foundation\w*|libdispatch|libBlocksRuntime"
                           r"|libXCTest|lib_InternalSwift\w*|libTesting)\.so")


class LibraryError(Exception):
    """A library that is missing, comes from a Swift toolchain, or no Debian package provides."""


def needed(binary):
    """The sonames the binary asks the loader for, in its order."""
    out = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True).stdout
    return [m.group(1) for m in re.finditer(r"^\s*NEEDED\s+(\S+)$", out, re.M)]


def resolved(binary, env=None):
    """{soname: path} as ldd resolves the binary's libraries (transitively) in ENV."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True, env=env).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\s*(\S+) => (.+?) \(0x[0-9a-f]+\)$", line)
        if m:
            found[m.group(1)] = m.group(2)
        elif "=> not found" in line:
            raise LibraryError("%s: %s is not found by the loader" % (binary, line.split()[0]))
    return found


def toolchain_libraries(paths, toolchain_dirs=()):
    """The (soname, path) pairs that are Swift runtime libraries or lie in a toolchain folder."""
    bad = []
    for soname, path in sorted(paths.items()):
        inside = any(os.path.realpath(path).startswith(os.path.realpath(d).rstrip("/") + "/") for d in toolchain_dirs)
        if SWIFT_LIBRARY.match(soname) or inside:
            bad.append((soname, path))
    return bad


def toolchain_dirs():
    """The running toolchain's root (two folders above `swift`), if one is on PATH."""
    swift = shutil.which("swift")
    return [os.path.dirname(os.path.dirname(os.path.realpath(swift)))] if swift else []


def owner(path):
    """The Debian package that installed PATH. Debian 12 merged /lib into /usr/lib, but dpkg
    knows each file under the name its package used, so both spellings and the real file
    are tried."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for p in candidates:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":", 1)[0].split(",")[0].strip()
    raise LibraryError("no Debian package provides %s (dpkg -S)" % path)


def packages(binary):
    """{soname: package} for each library the binary itself needs."""
    paths = resolved(binary)
    bad = toolchain_libraries(paths, toolchain_dirs())
    if bad:
        raise LibraryError("%s loads Swift toolchain libraries (%s): build it with scripts/build-release "
                           "(--static-swift-stdlib)" % (binary, ", ".join("%s => %s" % b for b in bad)))
    result = {}
    for soname in needed(binary):
        if soname not in paths:
            # The loader itself (ld-linux) has no "=>" line; it comes with libc6.
            if soname.startswith("ld-linux"):
                result[soname] = "libc6"
                continue
            raise LibraryError("%s needs %s, which ldd does not resolve" % (binary, soname))
        result[soname] = owner(paths[soname])
    return result


def shlibdeps(binary):
    """dpkg-shlibdeps' Depends for the binary (minimum versions from the libraries' symbols
    files), or None without dpkg-dev."""
    if shutil.which("dpkg-shlibdeps") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="mailscope-shlibdeps-") as tmp:
        os.makedirs(os.path.join(tmp, "debian"))
        with open(os.path.join(tmp, "debian", "control"), "w") as f:
            f.write("Source: mailscope\n\nPackage: mailscope\nArchitecture: any\n")
        r = subprocess.run(["dpkg-shlibdeps", "-O", "-e" + os.path.abspath(binary)], cwd=tmp,
                           capture_output=True, text=True)
    m = re.search(r"^shlibs:Depends=(.*)$", r.stdout, re.M)
    return m.group(1).strip() if r.returncode == 0 and m else None


def names(depends):
    """The package names of a Depends line (versions and architecture qualifiers dropped)."""
    return sorted({re.split(r"[\s(:]", alt.strip())[0] for part in depends.split(",") for alt in part.split("|")
                   if alt.strip()})


def depends(binary):
    """The Depends line for a package holding BINARY."""
    wanted = sorted(set(packages(binary).values()))
    versioned = shlibdeps(binary)
    if versioned is not None:
        if names(versioned) != wanted:
            raise LibraryError("dpkg-shlibdeps says %s but the binary's libraries come from %s"
                               % (versioned, ", ".join(wanted)))
        return versioned
    return ", ".join(wanted)
