"""A tiny, safe arithmetic language for schedules: Expression("0.04 + 0.02*sin(2*pi*t/60)")(t, T) => float.

Allowed, and nothing else: numbers; the names t (frame index), T (frame count) and pi, and
the audio features (amp, onset, beat, bass, mid, treble, tempo: numbers per frame, given to
the call as `variables` by a preset with `audio:`, dreamanim/audio_features.py);
+ - * / ** and unary minus; parentheses; the functions sin, cos, min, max, abs. The text
is parsed with `ast` and checked node by node against that whitelist, then evaluated by
walking the checked tree: it is never handed to eval() or compile()d to code, so there is
no way to reach attributes, imports, builtins or anything else of Python's.
All arithmetic is in floats, so `9**9**9` overflows at once instead of computing a
369-million-digit integer.
"""
import ast
import math
import operator
from typing import Callable, Mapping, Optional

from ..source.audio_features import FEATURES

NAMES = {"t", "T", "pi", *FEATURES}
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {  # name => (function, fewest args, most args)
    "sin": (math.sin, 1, 1), "cos": (math.cos, 1, 1), "abs": (abs, 1, 1),
    "min": (min, 2, 99), "max": (max, 2, 99),
}


def _power(base: float, exponent: float) -> float:
    value = base ** exponent
    if isinstance(value, complex):  # Python's answer for a negative base and a fractional exponent
        raise ExpressionError(f"has no real value: ({base:g}) ** {exponent:g}")
    return value


BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: _power}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_LENGTH = 500  # a schedule is a line of arithmetic; longer text is a mistake, not a formula

ALLOWED = ("numbers, t, T, pi, the audio features (amp, onset, beat, bass, mid, treble, tempo), "
           "+ - * / **, parentheses, sin, cos, min, max, abs")

_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|",
            ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@", ast.Not: "not", ast.Invert: "~"}


class ExpressionError(ValueError):
    """The text is not an expression of the safe set, or its value is not a finite number."""


class Expression:
    """A checked expression of t and T; calling it evaluates it for one frame."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text.strip():
            raise ExpressionError("an expression must be non-empty text like '0.02 + 0.01*sin(t/10)'")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"expression is {len(text)} characters long; at most {MAX_LENGTH}")
        self.text = text.strip()
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"not a valid expression: {exc.msg}") from None
        _check(tree.body)
        self._tree = tree.body
        self.features = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in FEATURES)

    def __call__(self, t: float, T: float, variables: Optional[Mapping[str, float]] = None) -> float:
        """The value at frame t of T; `variables`: the audio features' values at frame t."""
        missing = self.features - set(variables or ())
        if missing:
            raise ExpressionError(f"uses the audio feature {sorted(missing)[0]}, but there is no audio "
                                  "(give the preset `audio: song.mp3`)")
        try:
            value = _evaluate(self._tree, {**(variables or {}), "t": float(t), "T": float(T), "pi": math.pi})
        except ZeroDivisionError:
            raise ExpressionError("divides by zero") from None
        except OverflowError:
            raise ExpressionError("overflows (a number too large for a float)") from None
        except ValueError as exc:  # math domain errors, e.g. sin(inf)
            raise ExpressionError(f"has no value: {exc}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"is {value}, not a finite number")
        return value

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _check(node: ast.AST) -> None:
    """Raise ExpressionError unless every node of the tree is in the whitelist."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{node.value!r} is not allowed: only plain numbers")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(t)")
        if node.id not in NAMES:
            raise ExpressionError(f"unknown name {node.id!r}; allowed: {ALLOWED}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
            raise ExpressionError(f"operator {_symbol(node.op)} is not allowed{hint}; allowed: {ALLOWED}")
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise ExpressionError(f"operator {_symbol(node.op)} is not allowed; allowed: {ALLOWED}")
        _check(node.operand)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            _check(node.func)  # says what is wrong with it: `x.y(...)` is attribute access
            raise ExpressionError(f"only {', '.join(FUNCTIONS)} may be called")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(f"function {name!r} is not allowed; functions: {', '.join(FUNCTIONS)}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}() takes plain arguments, no keywords or *")
        _, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            wanted = "1 argument" if most == 1 else f"at least {fewest} arguments"
            raise ExpressionError(f"{name}() takes {wanted}, got {len(node.args)}")
        for arg in node.args:
            _check(arg)
    elif isinstance(node, ast.Attribute):
        raise ExpressionError(f"attribute access (.{node.attr}) is not allowed; allowed: {ALLOWED}")
    else:
        raise ExpressionError(f"{_construct(node)} is not allowed; allowed: {ALLOWED}")


def _evaluate(node: ast.AST, names: dict[str, float]) -> float:
    # Only the node types _check let through can reach here.
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_evaluate(node.left, names), _evaluate(node.right, names))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_evaluate(node.operand, names))
    function = FUNCTIONS[node.func.id][0]
    return float(function(*(_evaluate(arg, names) for arg in node.args)))


def _symbol(op: ast.AST) -> str:
    return repr(_SYMBOLS.get(type(op), type(op).__name__))


def _construct(node: ast.AST) -> str:
    """What a rejected node is, in words a preset author knows."""
    names = {ast.Compare: "comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else",
             ast.Lambda: "lambda", ast.Subscript: "indexing", ast.List: "a list", ast.Tuple: "a tuple",
             ast.Dict: "a dict", ast.Set: "a set", ast.ListComp: "a comprehension",
             ast.GeneratorExp: "a generator", ast.JoinedStr: "an f-string", ast.NamedExpr: ":="}
    return names.get(type(node), type(node).__name__)
