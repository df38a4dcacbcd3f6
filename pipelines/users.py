"""`python -m pipelines users add|list|remove`: manage who may sign in to CX Lens.

Works on the users file only (CXLENS_USERS, default users.yaml beside the warehouse), never on the
warehouse, so it runs while the app is serving; the app picks the change up on the next click.
Passwords are read with a hidden prompt (twice), or from one line of standard input with
--password-stdin for scripts: never from the command line, where `ps` and shell history see them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from app.auth.roles import ROLES
from app.auth.users import (
    UsersFileError,
    admins,
    load_users,
    name_problem,
    normalise_name,
    password_problem,
    remove_user,
    set_user,
    users_path,
)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def add_users_parser(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="add, list or remove the users who may sign in to the app")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a user (prompts for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--update", action="store_true", help="change the role and password of an existing user")
    listing = users_sub.add_parser("list", help="list users and their roles")
    listing.add_argument("--json", action="store_true")
    remove = users_sub.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    users.set_defaults(func=None, users_main=run_users)


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        print("No terminal to prompt for a password: use --password-stdin.", file=sys.stderr)
        return None
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        print("The passwords differ; nothing changed.", file=sys.stderr)
        return None
    return first


def _add(args: argparse.Namespace) -> int:
    name = normalise_name(args.name)
    problem = name_problem(name)
    if problem:
        print(f"Cannot add {args.name!r}: {problem}.", file=sys.stderr)
        return EXIT_USAGE
    exists = name in load_users()
    if exists and not args.update:
        print(f"User {name!r} already exists; use --update to change the role and password.", file=sys.stderr)
        return EXIT_REJECTED
    password = _read_password(args.password_stdin)
    if password is None:
        return EXIT_USAGE
    problem = password_problem(password)
    if problem:
        print(f"Cannot use that password: {problem}.", file=sys.stderr)
        return EXIT_REJECTED
    set_user(users_path(), name, args.role, password)
    print(f"{'Updated' if exists else 'Added'} user {name!r} with the role {args.role} in {users_path()}.")
    if not admins(load_users()):
        print("Note: there is no admin, so nobody can manage users in the app (the CLI still can).")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    users = load_users()
    if args.json:
        print(
            json.dumps(
                [{"name": u.name, "role": u.role} for u in sorted(users.values(), key=lambda u: u.name)]
            )
        )
        return EXIT_OK
    print(f"Users file: {users_path()}")
    if not users:
        print("No users configured: the app runs unprotected, and only on the loopback address.")
        return EXIT_OK
    width = max(len(name) for name in users)
    for user in sorted(users.values(), key=lambda u: u.name):
        print(f"  {user.name:<{width}}  {user.role}")
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    name = normalise_name(args.name)
    try:
        remove_user(users_path(), name)
    except LookupError as exc:
        print(f"Cannot remove: {exc}.", file=sys.stderr)
        return EXIT_REJECTED
    remaining = load_users()
    print(f"Removed user {name!r}.")
    if not remaining:
        print("No users are left: the app is unprotected again and serves the loopback address only.")
    elif not admins(remaining):
        print("Note: no admin is left, so nobody can manage users in the app (the CLI still can).")
    return EXIT_OK


def run_users(args: argparse.Namespace) -> int:
    try:
        return {"add": _add, "list": _list, "remove": _remove}[args.users_command](args)
    except UsersFileError as exc:
        print(f"The users file cannot be read: {exc}", file=sys.stderr)
        return EXIT_REJECTED
