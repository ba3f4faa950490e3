"""``python bench/http.py``: the HTTP benchmark, bench/http_bench.py.

Any script in bench/ has bench/ first on sys.path, so ``import http`` there (Django and
urllib do it) finds this file rather than the standard library's ``http`` package. Imported
under that name, this file therefore puts the standard library's package in its place.
"""

import sys

if __name__ == "__main__":
    from http_bench import main
    from provision import stdout_to_stderr

    with stdout_to_stderr() as out:
        code = main(out)
    sys.exit(code)
else:
    import importlib.util
    import sysconfig
    from importlib.machinery import PathFinder

    _spec = PathFinder.find_spec("http", [sysconfig.get_paths()["stdlib"]])
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[__name__] = _module
    _spec.loader.exec_module(_module)
