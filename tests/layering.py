"""Checks that #includes between source folders follow the layers.

Each source folder is one CMake library, and its CMakeLists.txt links the
layers it builds on. A file may include headers of its own folder and of the
folders its library reaches through those links (transitively), nothing else:
so a lower layer never reaches a higher one, and the folders form a DAG.

Usage: layering.py [source-root]
"""

import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))
SOURCE_FOLDERS = ["common", "resp", "core", "types", "config", "persistence", "commands", "client",
                  "cluster", "net", "server", "tools", "bench"]
LINK = re.compile(r"target_link_libraries\(\s*\S+(.*?)\)", re.S)
LIBRARY = re.compile(r"\bringcache_([a-z]+)\b")
INCLUDE = re.compile(r'^#include "([a-z_]+)/', re.M)


def direct_links():
    links = {}
    for folder in SOURCE_FOLDERS:
        with open(os.path.join(ROOT, folder, "CMakeLists.txt")) as f:
            text = f.read()
        deps = set()
        for m in LINK.finditer(text):
            deps |= {d for d in LIBRARY.findall(m.group(1)) if d in SOURCE_FOLDERS}
        links[folder] = deps - {folder}
    return links


def reachable(links):
    closure = {}

    def visit(folder, path):
        if folder in path:
            sys.exit("layering: the links form a cycle: " + " -> ".join(path + [folder]))
        if folder not in closure:
            result = set()
            for dep in links[folder]:
                result |= {dep} | visit(dep, path + [folder])
            closure[folder] = result
        return closure[folder]

    for folder in links:
        visit(folder, [])
    return closure


def main():
    allowed = reachable(direct_links())
    violations = []
    for folder in SOURCE_FOLDERS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
            for name in names:
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path) as f:
                    for dep in INCLUDE.findall(f.read()):
                        if dep != folder and dep not in allowed[folder]:
                            violations.append("%s includes %s/, which %s does not link" %
                                              (os.path.relpath(path, ROOT), dep, folder))
    for v in violations:
        print(v)
    order = sorted(allowed, key=lambda f: len(allowed[f]))
    print("layers, lowest first:", " < ".join(order))
    print("%d include(s) across layers break the links" % len(violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
