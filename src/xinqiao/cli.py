"""The ``xinqiao`` command: init | serve | worker | demo | backup | restore | keys | rotate-keys | verify-audit | manage ..."""

from __future__ import annotations

import argparse
import os
import sys

COMMANDS = {
    "init": ("init", "create the database, the key file and a first admin account"),
    "demo": ("demo", "load the demo school when the database is empty; print its log-ins"),
    "demo-code": ("demo_code", "print the current two-factor code of a demo account"),
    "worker": ("run_huey", "run the task queue worker"),
    "import-roster": (
        "import_roster",
        "import a roster workbook (students, guardians, staff, classes)",
    ),
    "rotate-keys": ("rotate_keys", "add a new field-encryption key and re-encrypt everything"),
    "verify-audit": ("verify_audit", "check that no access-log row was changed or deleted"),
    "backup": ("backup", "write one encrypted backup file [--to DIR]"),
    "restore": ("restore", "restore a backup file onto an empty data directory [--force]"),
    "keys": ("keys", "keys export FILE | keys import FILE: the key files, passphrase-protected"),
}


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinqiao.settings")
    import django

    django.setup()


def _speak_the_shells_language() -> None:
    """Commands answer in the shell's language (LC_ALL, LC_MESSAGES, LANG: zh_CN → 简体中文,
    en_US → English), else in the site's (LANGUAGE_CODE, Chinese unless configured)."""
    from django.conf import settings
    from django.utils import translation

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = os.environ.get(variable, "").split(".")[0].lower()
        if locale:
            chosen = {"en": "en", "zh": "zh-hans"}.get(locale[:2], settings.LANGUAGE_CODE)
            break
    else:
        chosen = settings.LANGUAGE_CODE
    translation.activate(chosen)


def serve(argv: list[str]) -> None:
    """Run the production web server (gunicorn; whitenoise serves the static files)."""
    parser = argparse.ArgumentParser(prog="xinqiao serve")
    parser.add_argument("--host", default=os.environ.get("XINQIAO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("XINQIAO_PORT", "8000")))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("XINQIAO_WEB_WORKERS", "3"))
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("XINQIAO_WEB_THREADS", "4"))
    )
    args = parser.parse_args(argv)
    _django_setup()
    from django.conf import settings

    from xinqiao.core.data_files import open_to_others
    from xinqiao.core.web_server import serve as serve_forever

    if loose := open_to_others(settings.DATA_DIR):
        listed = "\n  ".join(str(path) for path in loose[:10])
        sys.exit(
            "xinqiao serve: the data directory must be the owner's alone, but the group or "
            f"others may open:\n  {listed}\n"
            "Run `xinqiao init` (it sets the directory to 0700 and its files to 0600)."
        )

    serve_forever(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def main(argv: list[str] | None = None) -> None:
    from xinqiao.core.data_files import PRIVATE_UMASK

    os.umask(PRIVATE_UMASK)  # what any command creates in the data directory is the owner's
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print("usage: xinqiao COMMAND [ARGS]\n\ncommands:")
        print("  serve          run the web server [--host H] [--port P]")
        for name, (_command, text) in COMMANDS.items():
            print(f"  {name:<14} {text}")
        print("  manage ARGS    run any Django management command")
        return
    name, rest = argv[0], argv[1:]
    if name == "serve":
        serve(rest)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinqiao.settings")
    from django.core.management import execute_from_command_line

    if name == "manage":
        execute_from_command_line(["xinqiao manage", *rest])
    elif name in COMMANDS:
        if name in {"init", "keys"}:
            # A new production machine has no secret key file yet: these commands make it or
            # bring it back, and serve no page that would need it.
            os.environ["XINQIAO_MAKING_KEYS"] = "1"
        _django_setup()
        _speak_the_shells_language()
        execute_from_command_line(["xinqiao", COMMANDS[name][0], *rest])
    else:
        sys.exit(f"xinqiao: unknown command {name!r}; see `xinqiao --help`")


if __name__ == "__main__":
    main()
