"""A PEP 517 build backend for the energymon package, standard library only.

Why not setuptools: `pip install ./python` must work offline on any Python
3.8+ that has pip, and setuptools with --no-build-isolation also needs the
`wheel` package, which not every interpreter here has. The package is pure
Python, so a wheel is just its files in a zip with the metadata PEP 427 and
the core metadata spec require.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "energymon"


def _project():
    """name, version, description and requires-python from pyproject.toml's
    [project] table (simple `key = "value"` lines only)."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("[project]", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"\s*$', table, re.M))
    return fields


def _metadata():
    p = _project()
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nLicense: MIT\n"
            "Requires-Python: %s\nDescription-Content-Type: text/markdown\n\n%s"
            % (p["name"], p["version"], p["description"], p["requires-python"], readme))


def _package_files():
    directory = os.path.join(ROOT, PACKAGE)
    return sorted(os.path.join(PACKAGE, name) for name in os.listdir(directory)
                  if name.endswith(".py"))


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _dist_name():
    p = _project()
    return "%s-%s" % (p["name"], p["version"])


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _dist_name()
    info = name + ".dist-info"
    entries = []
    for path in _package_files():
        with open(os.path.join(ROOT, path), "rb") as f:
            entries.append((path, f.read()))
    entries.append((info + "/METADATA", _metadata().encode("utf-8")))
    entries.append((info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: energymon_build\n"
                                     b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    entries.append((info + "/top_level.txt", (PACKAGE + "\n").encode()))
    record = [_record_line(path, data) for path, data in entries] + [info + "/RECORD,,"]
    entries.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))
    wheel_name = name + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w",
                         zipfile.ZIP_DEFLATED) as wheel:
        for path, data in entries:
            wheel.writestr(path, data)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    name = _dist_name()
    sdist_name = name + ".tar.gz"
    files = _package_files() + ["pyproject.toml", "README.md",
                                os.path.join("build_backend", "energymon_build.py")]
    with tarfile.open(os.path.join(sdist_directory, sdist_name), "w:gz") as sdist:
        for path in files:
            sdist.add(os.path.join(ROOT, path), arcname=os.path.join(name, path))
        info = _metadata().encode("utf-8")
        member = tarfile.TarInfo(os.path.join(name, "PKG-INFO"))
        member.size = len(info)
        sdist.addfile(member, io.BytesIO(info))
    return sdist_name
