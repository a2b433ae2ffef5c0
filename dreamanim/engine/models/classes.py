"""ImageNet's 1000 class names, offline (imagenet_classes.txt, one class a line: its name | synonyms):
a name, a synonym or a number => the class number, with a did-you-mean for a near miss.

Names match whatever their case and with spaces, underscores or hyphens alike (`great_white_shark`).
The names are ImageNet's WordNet synonyms with a plain first name per class (`crane bird`,
`construction crane`); `pagoda` is added to `stupa`, the nearest class (ImageNet has no pagoda).
"""
from functools import lru_cache
from pathlib import Path

from ...errors import PresetError, suggest

CLASSES_FILE = Path(__file__).with_name("imagenet_classes.txt")
COUNT = 1000
SEARCH_HELP = "`dreamanim classes WORD` searches the 1000 ImageNet names"


@lru_cache(maxsize=None)
def synonyms() -> tuple[tuple[str, ...], ...]:
    """Each class's names, its plain name first, by class number."""
    lines = CLASSES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(tuple(name.strip() for name in line.split("|")) for line in lines)


def names() -> list[str]:
    return [names[0] for names in synonyms()]


def _key(name: str) -> str:
    return " ".join(str(name).lower().replace("_", " ").replace("-", " ").split())


@lru_cache(maxsize=None)
def _index() -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for i, names in enumerate(synonyms()):
        for name in names:
            found.setdefault(_key(name), [])
            if i not in found[_key(name)]:
                found[_key(name)].append(i)
    for i, names in enumerate(synonyms()):  # a class's plain name is its own (unique), whatever shares it
        found[_key(names[0])] = [i]
    return {k: tuple(v) for k, v in found.items()}


def class_number(name: str | int) -> int:
    """The class number of a name or number; ValueError with a did-you-mean (the schema's message)."""
    text = str(name).strip()
    if text.lstrip("-").isdigit():
        number = int(text)
        if not 0 <= number < COUNT:
            raise ValueError(f"class number {number} is not an ImageNet class (0..{COUNT - 1})")
        return number
    found = _index().get(_key(text))
    if found is None:
        hint = suggest(_key(text), _index(), listing="")
        raise ValueError(f"unknown ImageNet class {text!r}{': ' + hint if hint else ''}")
    if len(found) > 1:
        which = " or ".join(f"{i} ({synonyms()[i][0]})" for i in found)
        raise ValueError(f"{text!r} names {len(found)} classes, {which}; give the plain name or the number")
    return found[0]


def search(word: str = "") -> list[tuple[int, tuple[str, ...]]]:
    """(number, names) of every class one of whose names contains `word` (all of them without one)."""
    key = _key(word)
    return [(i, names) for i, names in enumerate(synonyms()) if not key or any(key in _key(n) for n in names)]


def check_classes(classes, where: str) -> None:
    """PresetError at where.NAME for a name or number that is no class (load-time checks outside the schema)."""
    for name in classes or {}:
        try:
            class_number(name)
        except ValueError as exc:
            raise PresetError(f"{where}.{name}", str(exc), SEARCH_HELP + "; or give a class number") from None
