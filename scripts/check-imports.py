#!/usr/bin/env python3
"""Checks every target's imports against Package.swift and the dependency table of STYLE.md.

SwiftPM lets a target import any module it reaches transitively, and
`--explicit-target-dependency-import-check` does not catch it, so this script does:

1. a target may import a module of this package, or of a dependency's product, only if it
   declares it directly in its `dependencies:`;
2. an import must be allowed by `TABLE` below (which mirrors STYLE.md's table);
3. a C module is imported only by its wrapper modules (`C_WRAPPERS`), with `internal import`,
   or by a test target that declares one of those wrappers (it tests it).

Foundation-family and system modules (`ALWAYS_ALLOWED`) are always allowed. Run from anywhere:
`python3 scripts/check-imports.py`. Prints one line per violation and exits 1 if there is any.
Standard library only.
"""

import fnmatch
import json
import os
import re
import subprocess
import sys

# Modules of the toolchain and the OS: not dependencies, always allowed.
ALWAYS_ALLOWED = {
    "Swift", "_Concurrency", "_StringProcessing", "RegexBuilder", "Observation", "Distributed",
    "Synchronization", "Dispatch", "Foundation", "FoundationEssentials", "FoundationInternationalization",
    "FoundationNetworking", "FoundationXML", "CoreFoundation", "Glibc", "Musl", "Darwin", "Android",
    "Bionic", "WASILibc", "ucrt", "WinSDK", "XCTest", "Testing",
}

# What each module of ours may import, mirroring STYLE.md ("NIO*" is every swift-nio module).
# `None` means "anything it declares" (executables, tests and TestSupport, which wire things).
TABLE = {
    "TLS": {"COpenSSL", "NIOCore"},
    "HTTP2": {"CNGHTTP2", "NIOCore"},
    "RPC": {"TLS", "HTTP2", "CZlib", "NIO*", "SwiftProtobuf", "Logging"},
    "Models": {"SwiftProtobuf"},
    "Encryption": {"COpenSSL"},
    "Store": {"Models", "Encryption", "CSQLite", "SwiftProtobuf", "Logging"},
    "EtcdStore": {"Store", "RPC", "SwiftProtobuf"},
    "Services": {"RPC", "Store", "Models", "Logging", "Metrics", "SwiftProtobuf"},
    "Interop": {"RPC", "SwiftProtobuf"},
    "TestSupport": None,
    # The composition root of `bbs` as a library (see Package.swift): wires everything, like the executables.
    "BBSServer": None,
}

# Why a module may never import something, for the message (STYLE.md's "never" column).
NEVER = {
    "TLS": "TLS never imports HTTP2, RPC or anything of bbs",
    "HTTP2": "HTTP2 never imports TLS, RPC or anything of bbs",
    "RPC": "RPC never imports Models, Store or Services",
    "Models": "Models imports nothing else of ours",
    "Store": "Store never imports RPC, NIO or Services",
    "EtcdStore": "EtcdStore never imports Services, and reaches TLS and NIO only through RPC",
    "Services": "Services never imports NIO, TLS, HTTP2 or a C module",
}

# Each C module and the wrapper modules that alone may import it.
C_WRAPPERS = {
    "COpenSSL": {"TLS", "Encryption"},
    "CNGHTTP2": {"HTTP2"},
    "CSQLite": {"Store"},
    "CZlib": {"RPC"},
}

# Products of the packages we depend on (product name = module name), so an undeclared import
# of one is reported as such. Products named in any target's dependencies are added at run time.
KNOWN_PRODUCTS = {
    "swift-nio": {
        "NIO", "NIOCore", "NIOPosix", "NIOEmbedded", "NIOConcurrencyHelpers", "NIOFoundationCompat", "NIOTLS",
        "NIOHTTP1", "NIOWebSocket", "NIOTestUtils", "_NIOConcurrency", "NIOFileSystem", "_NIOFileSystem",
    },
    "swift-protobuf": {"SwiftProtobuf", "SwiftProtobufPluginLibrary"},
    "swift-log": {"Logging"},
    "swift-argument-parser": {"ArgumentParser"},
    "swift-metrics": {"Metrics", "CoreMetrics", "MetricsTestKit"},
}

IMPORT = re.compile(
    r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*"  # @testable, @_exported, @preconcurrency, @_implementationOnly
    r"(?:(public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let)\s+)?"
    r"([A-Za-z_][A-Za-z0-9_]*)")


def dump_package(root):
    result = subprocess.run(
        ["swift", "package", "--package-path", root, "dump-package"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("check-imports: swift package dump-package failed:\n" + result.stderr)
    return json.loads(result.stdout)


def target_path(root, target):
    if target.get("path"):
        return os.path.join(root, target["path"])
    folder = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(root, folder, target["name"])


def imports_of(directory):
    """(module, relative file, line number, access keyword) for every import under `directory`."""
    found = []
    for base, _, files in os.walk(directory):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(base, name)
            with open(path, encoding="utf-8", errors="replace") as file:
                in_comment = False
                in_string = False  # a multi-line string literal, e.g. an embedded Python script
                for number, line in enumerate(file, 1):
                    stripped = line.strip()
                    if in_comment:
                        in_comment = "*/" not in stripped
                        continue
                    if line.count('"""') % 2 == 1:
                        in_string = not in_string
                        continue
                    if in_string:
                        continue
                    if stripped.startswith("/*"):
                        in_comment = "*/" not in stripped
                        continue
                    match = IMPORT.match(line)
                    if match:
                        found.append((match.group(2), path, number, match.group(1)))
    return found


def declared(target):
    """The module names a target declares directly."""
    names = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


def allowed_by_table(table_entry, module):
    return any(fnmatch.fnmatchcase(module, pattern) for pattern in table_entry)


def check(root):
    package = dump_package(root)
    targets = package["targets"]
    local = {target["name"]: target for target in targets}
    products = set().union(*KNOWN_PRODUCTS.values())
    for target in targets:
        for dependency in target["dependencies"]:
            if "product" in dependency:
                products.add(dependency["product"][0])
            elif "byName" in dependency and dependency["byName"][0] not in local:
                products.add(dependency["byName"][0])

    violations, notes = [], []
    for target in targets:
        name, kind = target["name"], target["type"]
        if kind in ("system", "binary", "plugin"):
            continue
        found = imports_of(target_path(root, target))
        wires_everything = kind in ("executable", "test", "macro") or TABLE.get(name, ()) is None
        if not wires_everything and name not in TABLE:
            first = next((module for module, *_ in found if module not in ALWAYS_ALLOWED), None)
            subject = f"target {name} imports {first} but" if first else f"target {name} is a module, but"
            violations.append(
                f"{subject} the import table does not know {name}: add it to TABLE in scripts/check-imports.py "
                f"with the modules STYLE.md lets it import (and add it to STYLE.md's table)")
            continue
        has = declared(target)
        reported = set()
        for module, path, number, access in found:
            where = f"{os.path.relpath(path, root)}:{number}"
            if module in ALWAYS_ALLOWED or module == name or (module, "any") in reported:
                continue
            problem = None
            if module not in local and module not in products:
                problem = (
                    "it is neither a module of this package, a product of a dependency, nor a system module "
                    "(if it is one, add it to ALWAYS_ALLOWED or KNOWN_PRODUCTS in scripts/check-imports.py)")
            elif module not in has:
                problem = "does not declare it in its dependencies: in Package.swift"
            elif module in C_WRAPPERS and name not in C_WRAPPERS[module] and not (
                    kind == "test" and has & C_WRAPPERS[module]):
                wrappers = " and ".join(sorted(C_WRAPPERS[module]))
                problem = f"{module} is a C module that only {wrappers} may import (STYLE.md)"
            elif not wires_everything and not allowed_by_table(TABLE[name], module):
                allowed = ", ".join(sorted(TABLE[name])) or "nothing"
                why = NEVER.get(name)
                problem = f"STYLE.md lets {name} import only {allowed}" + (f" ({why})" if why else "")
            elif module in C_WRAPPERS and name in C_WRAPPERS[module] and access != "internal":
                problem = f"a C module is imported with `internal import` (STYLE.md), so it stays out of {name}'s API"
            if problem:
                violations.append(f"target {name} imports {module} but {problem} ({where})")
                reported.add((module, "any"))
        imported = {module for module, *_ in found}
        for module in sorted(has - imported - set(C_WRAPPERS)):
            notes.append(f"note: target {name} declares {module} but never imports it")
    return violations, notes


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    violations, notes = check(root)
    for note in notes:
        print(note, file=sys.stderr)
    sys.stderr.flush()
    for violation in violations:
        print(violation)
    if violations:
        print(f"check-imports: {len(violations)} violation(s)")
        return 1
    print("check-imports: every target imports only what it declares and STYLE.md allows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
