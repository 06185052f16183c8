"""The README cannot drift: it opens with the two commands, and names every CLI command and setting.

Commands are found by scanning touchbase's own apps for management commands,
settings by reading settings.py for the environment variables it reads, so a
new command or variable fails this test until the README documents it.
"""

import argparse
import ast
import re
from pathlib import Path

from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# Reading through these helpers, or os.environ / os.getenv, is how settings.py takes a variable.
ENV_HELPER = re.compile(r"env_\w+")
# Every Django command has these; Django's documentation covers them.
DJANGO_OPTIONS = {"--help", "--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color",
                  "--force-color", "--skip-checks"}


def touchbase_commands() -> list[str]:
    files = (ROOT / "touchbase").glob("*/management/commands/*.py")
    return sorted(f.stem for f in files if not f.stem.startswith("_"))


def command_options(name: str) -> list[str]:
    """The --options of a touchbase command and of its subcommands, without Django's common ones."""
    command = load_command_class(get_commands()[name], name)
    parsers = [command.create_parser("touchbase", name)]
    options = []
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
            # An option spelt two ways (--no-input, --noinput) needs its first spelling documented.
            options.extend([o for o in action.option_strings if o.startswith("--")][:1])
    return sorted(set(options) - DJANGO_OPTIONS)


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def environment_settings() -> list[str]:
    names = set()
    for node in ast.walk(ast.parse((ROOT / "touchbase" / "settings.py").read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads = (
                (isinstance(func, ast.Name) and ENV_HELPER.fullmatch(func.id))
                or (isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value))
                or (isinstance(func, ast.Attribute) and func.attr == "getenv" and getattr(func.value, "id", "") == "os")
            )
            if reads:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return sorted(names)


def test_the_scans_find_what_we_know_is_there():
    """Guards the scanners themselves: an empty scan would make the tests below pass on anything."""
    assert {"serve", "backup", "restore", "createuser"} <= set(touchbase_commands())
    assert {"--host", "--port", "--threads"} <= set(command_options("serve"))
    assert {"TOUCHBASE_HOME", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} <= set(environment_settings())


def test_every_touchbase_command_is_in_the_readme():
    missing = [name for name in touchbase_commands() if not re.search(rf"\btouchbase {name}\b", README)]
    assert not missing, f"README.md never shows `touchbase {' / '.join(missing)}`: document them in its CLI section"


def test_every_option_of_every_touchbase_command_is_in_the_readme():
    missing = [f"touchbase {name} {option}" for name in touchbase_commands() for option in command_options(name)
               if not re.search(rf"{option}(?![\w-])", README)]
    assert not missing, f"README.md never shows these options: {', '.join(missing)}"


def test_every_setting_from_the_environment_is_in_the_readme():
    missing = [name for name in environment_settings() if not re.search(rf"`{name}`", README)]
    assert not missing, f"README.md never names {', '.join(missing)} (as `NAME`): add them to its settings section"


def test_the_readme_opens_with_make_demo_and_make_test():
    first_block = re.search(r"```\w*\n(.*?)```", README, re.DOTALL)
    assert first_block, "README.md has no command block"
    first_section = README.find("\n## ")
    assert first_section == -1 or README.index(first_block.group(0)) < first_section, "the commands come first"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
