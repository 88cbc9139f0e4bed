"""Fuzz inputs: the samples' fleet files, mutated byte by byte and token by token.

Every input is a pure function of (run seed, frontend, index), so a failure
found by one worker process can be made again anywhere from its number alone.
The dictionary holds what broke fleetc before (numbers of thousands of digits
or past 64 bits, an unclosed `[` in a URL, deep nesting) and what might
(long and odd interface names, quotes, escapes, braces, NUL, line ends).
"""

from __future__ import annotations

import random
import re
from functools import cache

from tests.support.paths import ROOT

EXTENSIONS = {"toml": "toml", "fleet": "fleet"}

# Values worth trying anywhere a token goes.
NUMBERS = [
    "0",
    "-1",
    "3",
    "4094",
    "4095",
    "4294967295",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "9" * 40,
    "9" * 5000,
    "0x7fffffffffffffff",
    "1_000",
    "+5",
    "1e999",
    "nan",
]
NAMES = [
    '"br lan;rm"',
    '"enp0s31f6abcdef0123"',
    '"a/b"',
    '"eno1:0"',
    '"."',
    '""',
    '"x"',
    "x" * 20,
    '"${builtins.abort 1}"',
    '"\\u0000"',
    '"\\uD800"',
    '"\\\\"',
    "'single'",
]
URLS = [
    '"https://hydra.example.org[x"',
    '"http://[::1"',
    '"https://[::1]:8080/"',
    '"https://hydra.example.org/?a#b"',
    '"file:///etc/passwd"',
]
URL_CHARACTERS = ["[", "]", "[x", "%", "%zz", "@", ":", "::", "?", "#", " ", "\\"]
PUNCTUATION = ["{", "}", "[", "]", "[[", "]]", "=", ",", ".", '"', "'", "#", "->"]
BYTES = ["\n", "\r", "\r\n", "\t", " ", "\0", "\\", "\x7f", "é", "\u2028", "\ufeff"]
INTERESTING = NUMBERS + NAMES + URLS + PUNCTUATION + BYTES
# Values that would mean something else where microvm.nix splices them: qemu
# options, shell words, systemd specifiers, socket paths, zone ids, systems.
# Written as they go between quotes in either format (`\\n` is an escape).
HOSTILE_VALUES = [
    "data,id=x",
    "var.img,format=qcow2",
    "nbd:host:10809",
    "../x",
    "/srv/a b",
    "it's",
    '$(reboot)\\"',
    "/var/lib/%i",
    "var/lib/microvms",
    "/var/lib/microvms/",
    "x\\nDNS=1.1.1.1",
    "t" * 37,
    "s" * 104 + ".sock",
    "fe80::1%br0",
    "fd00::10%eth0\\n",
    "x86_64-linux\\n",
    "x86_64-darwin",
    "/dev/disk/by-id/a=b",
    "\\u0000",
    "\u2028",
]
# Where these fields are written: a TOML key, or a DSL statement's first word.
VALUE_KEYS = re.compile(
    r"\b(tag|source|socket|image|mount|state_dir|system|gateway6|ipv6|dns)\s*=\s*\[?\s*"
    r'("(?:[^"\\\n]|\\.)*")'
)
VALUE_STATEMENTS = re.compile(
    r"(?m)^[ \t]*(?:share|volume|state-dir|system|interface|gateway6|dns)\b[^\n]*"
)
# Words of either format: keys, statements, booleans.
WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.:/+-]+|\s+|.', re.S)


@cache
def seeds(frontend: str) -> tuple[str, ...]:
    """Every sample's and golden case's fleet file in this format."""
    ext = EXTENSIONS[frontend]
    found = sorted(ROOT.glob(f"samples/*/fleet.{ext}"))
    found += sorted(ROOT.glob(f"tests/cases/*/fleet.{ext}"))
    return tuple(path.read_text(encoding="utf-8") for path in found)


@cache
def vocabulary(frontend: str) -> tuple[str, ...]:
    return tuple(sorted({w for text in seeds(frontend) for w in WORDS.findall(text)}))


def make_input(run_seed: int, frontend: str, index: int) -> str:
    rng = random.Random(f"{run_seed}:{frontend}:{index}")
    text = rng.choice(seeds(frontend))
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
        text = rng.choice(MUTATORS)(text, rng, frontend)
    return text


# -- byte level -----------------------------------------------------------------


def flip_byte(text: str, rng: random.Random, _: str) -> str:
    data = bytearray(text.encode("utf-8"))
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return data.decode("utf-8", errors="replace")


def insert_bytes(text: str, rng: random.Random, _: str) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + rng.choice(BYTES + PUNCTUATION) + text[at:]


def delete_span(text: str, rng: random.Random, _: str) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + text[at + rng.randint(1, 16) :]


def splice(text: str, rng: random.Random, frontend: str) -> str:
    """The start of this input, the end of another seed."""
    other = rng.choice(seeds(frontend))
    return text[: rng.randint(0, len(text))] + other[rng.randint(0, len(other)) :]


# -- token level ----------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return TOKENS.findall(text)


def _solid(tokens: list[str], rng: random.Random) -> int | None:
    """A random token that is not blank space."""
    places = [i for i, token in enumerate(tokens) if not token.isspace()]
    return rng.choice(places) if places else None


def replace_token(text: str, rng: random.Random, frontend: str) -> str:
    tokens = _tokens(text)
    at = _solid(tokens, rng)
    if at is not None:
        pool = INTERESTING if rng.random() < 0.7 else vocabulary(frontend)
        tokens[at] = rng.choice(pool)
    return "".join(tokens)


def replace_number(text: str, rng: random.Random, _: str) -> str:
    """Numbers where numbers go: the likeliest way to reach a range check."""
    found = list(re.finditer(r"(?<![\w.:-])[0-9]+(?![\w.:-])", text))
    if not found:
        return text
    match = rng.choice(found)
    return text[: match.start()] + rng.choice(NUMBERS) + text[match.end() :]


def replace_string(text: str, rng: random.Random, _: str) -> str:
    found = list(re.finditer(r'"(?:[^"\\\n]|\\.)*"', text))
    if not found:
        return text
    match = rng.choice(found)
    return text[: match.start()] + rng.choice(NAMES + URLS) + text[match.end() :]


def break_url(text: str, rng: random.Random, _: str) -> str:
    """A character that means something in a URL, inside one."""
    found = list(re.finditer(r"[a-z+]+://[^\s\"]*", text))
    if not found:
        return text
    match = rng.choice(found)
    at = rng.randint(match.start(), match.end())
    return text[:at] + rng.choice(URL_CHARACTERS) + text[at:]


def hostile_value(text: str, rng: random.Random, frontend: str) -> str:
    """A value microvm.nix would misread, in a field that reaches it."""
    value = '"' + rng.choice(HOSTILE_VALUES) + '"'
    if frontend == "toml":
        found = list(VALUE_KEYS.finditer(text))
        if found:
            match = rng.choice(found)
            return text[: match.start(2)] + value + text[match.end(2) :]
        return text
    return _hostile_statement(text, rng, value)


def _hostile_statement(text: str, rng: random.Random, value: str) -> str:
    """One word after a DSL statement's first (not `->`) becomes the value."""
    found = list(VALUE_STATEMENTS.finditer(text))
    if not found:
        return text
    line = rng.choice(found)
    tokens = _tokens(line.group())
    places = [i for i, t in enumerate(tokens) if not t.isspace() and t not in "->"]
    if len(places) > 1:
        tokens[rng.choice(places[1:])] = value
    return text[: line.start()] + "".join(tokens) + text[line.end() :]


def drop_token(text: str, rng: random.Random, _: str) -> str:
    tokens = _tokens(text)
    at = _solid(tokens, rng)
    if at is not None:
        del tokens[at]
    return "".join(tokens)


def swap_tokens(text: str, rng: random.Random, _: str) -> str:
    tokens = _tokens(text)
    first, second = _solid(tokens, rng), _solid(tokens, rng)
    if first is not None and second is not None:
        tokens[first], tokens[second] = tokens[second], tokens[first]
    return "".join(tokens)


# -- lines and growth -------------------------------------------------------------


def duplicate_line(text: str, rng: random.Random, _: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    at = rng.randrange(len(lines))
    return "".join(lines[: at + 1] + lines[at:])


def repeat_line(text: str, rng: random.Random, _: str) -> str:
    """One line many times: large inputs, for the time per byte."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    at = rng.randrange(len(lines))
    times = rng.choice((50, 500, 3000))
    return "".join(lines[:at] + lines[at : at + 1] * times + lines[at + 1 :])


def nest(text: str, rng: random.Random, frontend: str) -> str:
    """Blocks or arrays opened deep (and perhaps closed)."""
    depth = rng.choice((5, 40, 3000))
    opening, closing = ("x {\n", "}\n") if frontend == "fleet" else ("[", "]")
    prefix = "a = " if frontend == "toml" else ""
    closed = closing * depth if rng.random() < 0.5 else ""
    at = rng.randint(0, len(text))
    return text[:at] + prefix + opening * depth + closed + "\n" + text[at:]


MUTATORS = [
    flip_byte,
    insert_bytes,
    delete_span,
    splice,
    replace_token,
    replace_token,
    replace_number,
    replace_number,
    replace_string,
    break_url,
    hostile_value,
    hostile_value,
    drop_token,
    swap_tokens,
    duplicate_line,
    repeat_line,
    nest,
]
