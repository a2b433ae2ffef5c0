"""The tree reads like the pipeline: a package per stage, each importing only from the stages below it, no circles."""
import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "dreamanim"

# Lowest first. A stage may import from the stages before it, never from one after it. The preset is
# validated against the tables of the stages it configures (formats, sources, transforms, models),
# so it sits above them; the data still flows preset => plan => loop => store => outputs.
STAGES = ["errors", "common", "outputs", "source", "schedule", "motion", "engine", "preset", "rendering",
          "api", "batch", "studio", "cli", "__main__"]
TOP_LEVEL_FILES = 6  # dreamanim/ holds at most this many .py files directly


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts == ("__init__",):
            continue  # the lazy loader of the public names: importlib by name, nothing at import
        yield path, parts


def imports_of(path: Path, parts: tuple) -> list[tuple[str, int]]:
    """(dotted target under dreamanim, line) of every import, lazy ones inside functions too;
    imports only for type checkers (`if TYPE_CHECKING:`) are left out: they never run."""
    tree = ast.parse(path.read_text(), str(path))
    package = list(parts[:-1]) if parts[-1] != "__init__" else list(parts[:-1])
    if parts[-1] == "__init__":
        package = list(parts[:-1])
    skipped = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
               and "TYPE_CHECKING" in ast.unparse(block.test) for stmt in block.body for node in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "dreamanim":
                target = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:  # `from . import signals`: the module itself
                sub = target + [alias.name]
                is_module = (PACKAGE.joinpath(*sub).with_suffix(".py").is_file()
                             or (PACKAGE.joinpath(*sub) / "__init__.py").is_file())
                found.append((".".join(sub if is_module else target), node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".", 1)[1], node.lineno) for a in node.names
                      if a.name.startswith("dreamanim.")]
    return [(t, line) for t, line in found if t]


def stage_of(dotted: str) -> str:
    return dotted.split(".")[0]


def test_the_top_level_holds_only_a_handful_of_files():
    files = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(files) <= TOP_LEVEL_FILES, files


def test_every_stage_is_a_package_with_its_contract_in_one_line():
    for stage in STAGES:
        folder = PACKAGE / stage
        if folder.is_dir():
            doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
            assert doc and len(doc.splitlines()[0]) > 20, stage
        else:
            assert (PACKAGE / f"{stage}.py").is_file(), stage
    # and every package or top-level module is one of the stages
    for path, parts in modules():
        assert stage_of(".".join(parts)) in STAGES, path


def test_no_module_imports_a_later_stage():
    wrong = []
    for path, parts in modules():
        mine = STAGES.index(stage_of(".".join(parts)))
        for target, line in imports_of(path, parts):
            if target == "" or stage_of(target) not in STAGES:
                continue
            if STAGES.index(stage_of(target)) > mine:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    graph = {".".join(parts): {t for t, _ in imports_of(path, parts)} for path, parts in modules()}
    for name in graph:  # a package's import is its __init__
        graph[name] = {t for t in graph[name] if t in graph and t != name}
    seen, on_path, circles = set(), [], []

    def visit(node):
        if node in on_path:
            circles.append(on_path[on_path.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        on_path.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        on_path.pop()

    for node in sorted(graph):
        visit(node)
    assert not circles, [" -> ".join(c) for c in circles]


def test_only_the_backend_imports_tensorflow():
    for path, parts in modules():
        if parts[:2] == ("engine", "tensorflow"):
            continue
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level]
        assert not [n for n in names if n.split(".")[0] in ("tensorflow", "keras")], path
