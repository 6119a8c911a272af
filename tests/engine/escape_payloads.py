"""Known ways out of a Python sandbox, as BPMN scripts and gateway conditions: the payloads
tests/engine/test_sandbox_escapes.py tries, each with the words its refusal must say."""

from __future__ import annotations

MARKER = "MARKER"  # replaced by a file the payload would create if it ran

# (name, payload as a script, payload as a condition or None, words the refusal says)
PAYLOADS: list[tuple[str, str, str | None, str]] = [
    (
        "subclasses walk",
        "kelas = ().__class__.__bases__[0].__subclasses__()",
        "().__class__.__bases__[0].__subclasses__()",
        '"__class__" is an invalid attribute name',
    ),
    (
        "__import__",
        "__import__('os').system('touch MARKER')",
        "__import__('os').system('touch MARKER')",
        '"__import__" is an invalid variable name',
    ),
    ("import statement", "import os\nos.system('touch MARKER')", None, "import statements are not allowed"),
    ("from import", "from subprocess import run\nrun(['touch', 'MARKER'])", None, "import statements"),
    (
        "import through operator.attrgetter",
        "import operator\nkelas = operator.attrgetter('__class__')(jumlah)",
        None,
        "import statements are not allowed",
    ),
    (
        "getattr for __globals__",
        "g = getattr(jumlah, '__globals__')",
        "getattr(jumlah, '__globals__')",
        "getattr() is not available",
    ),
    (
        "str.format attribute walk",
        "s = '{0.__class__.__mro__}'.format(jumlah)",
        "'{0.__class__}'.format(jumlah) != ''",
        "'.format' is not available",
    ),
    (
        "str.format_map attribute walk",
        "s = '{j.__class__}'.format_map({'j': jumlah})",
        "'{j.__class__}'.format_map({'j': jumlah})",
        "'.format_map' is not available",
    ),
    (
        "string.Formatter field lookup",
        "s = string.Formatter().get_field('0.__class__', [jumlah], {})",
        "string.Formatter().get_field('0.__class__', [jumlah], {})",
        "'.Formatter' is not available",
    ),
    ("type()", "t = type(jumlah)", "type(jumlah) == int", "type() is not available"),
    ("type() with three arguments", "T = type('T', (), {})", "type('T', (), {})", "type() is not available"),
    (
        "generator frame walk",
        "g = (x for x in [1])\nf = g.gi_frame.f_back.f_globals",
        "(x for x in [1]).gi_frame.f_back",
        "is a restricted name",
    ),
    (
        "traceback frame walk",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    f = e.__traceback__.tb_frame",
        None,
        '"__traceback__" is an invalid attribute name',
    ),
    (
        "__builtins__",
        "b = __builtins__['open']('MARKER', 'w')",
        "__builtins__['open']('MARKER', 'w')",
        '"__builtins__" is an invalid variable name',
    ),
    ("eval", "y = eval(\"__import__('os')\")", "eval('1') == 1", "Eval calls are not allowed"),
    ("exec", "exec('import os')", "exec('import os')", "Exec calls are not allowed"),
    ("compile", "c = compile('1', 'f', 'eval')", "compile('1', 'f', 'eval')", "compile() is not available"),
    (
        "open",
        "isi = open('/etc/passwd').read()",
        "open('/etc/passwd').read() != ''",
        "open() is not available",
    ),
    (
        "open under another name",
        "baca = open\nisi = baca('/etc/passwd').read()",
        "[open][0]('/etc/passwd') is None",
        "open is not available in scripts",
    ),
    ("globals()", "g = globals()", "globals()", "globals() is not available"),
    ("vars()", "v = vars()", "vars()", "vars() is not available"),
    ("locals()", "l = locals()", "locals()", "locals() is not available"),
    ("dir()", "d = dir(jumlah)", "dir()", "dir() is not available"),
    (
        "lambda default argument",
        "isi = (lambda baca=open: baca('/etc/passwd'))()",
        "(lambda baca=open: baca)('x')",
        "open is not available in scripts",
    ),
    (
        "decorators",
        "@eval\n@lambda _: \"__import__('os')\"\ndef f():\n    pass",
        None,
        "eval is not available in scripts",
    ),
    ("str.mro()", "o = str.mro()[1]", "str.mro()[-1]", "'.mro' is not available"),
    (
        "catching the budget's stop through .mro()",
        "try:\n    x = 1\nexcept ValueError.mro()[-2]:\n    x = 2",
        None,
        "'.mro' is not available",
    ),
    ("class definition", "class A:\n    pass", None, "class definitions are not allowed"),
    (
        "metaclass",
        "class M(type):\n    pass\nclass A(metaclass=M):\n    pass",
        None,
        '"metaclass" is not allowed',
    ),
    (
        "f-string with a conversion",
        "s = f'{jumlah.__class__!r}'",
        "f'{jumlah.__class__.__mro__!s}'",
        '"__class__" is an invalid attribute name',
    ),
    ("breakpoint()", "breakpoint()", "breakpoint()", '"breakpoint" is a reserved name'),
    ("help()", "help(jumlah)", "help()", "help() is not available"),
    (
        "object.__reduce_ex__",
        "r = jumlah.__reduce_ex__(2)",
        "object.__reduce_ex__(jumlah, 2)",
        '"__reduce_ex__" is an invalid attribute name',
    ),
    ("super()", "def f():\n    return super()\ns = f()", None, "super() is not available"),
    ("bound method __self__", "m = date.today.__self__", "date.today.__self__", '"__self__" is an invalid'),
    ("input()", "i = input()", "input()", "input() is not available"),
]
SCRIPTS = [(name, script, words) for name, script, _, words in PAYLOADS]
CONDITIONS = [(name, condition, words) for name, _, condition, words in PAYLOADS if condition is not None]
