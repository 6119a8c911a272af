"""Who may use which route, for whom, in which village: the table of docs/security.md, as
tests/web/test_access_matrix.py reads it.

Each row is a route of the app (`METHOD rule`, exactly as `app.url_map` spells it) and a target:

- `-`: the route names no village;
- `sendiri`: the person's own village (Lempur Mudik, Kab. Kerinci); for a task, the task of the
  person's own role there (people without a working role: the Pendamping's task);
- `peran-lain`: a task of another role in the person's own village;
- `lain`: a village of another kabupaten (Sigi, Kab. Pulang Pisau); for a task, the task of the
  person's own role there.

Each cell is what the person gets: a status code, or `masuk` (a redirect to the sign-in page).
`python -m tests.web.access_table` prints the tables as docs/security.md shows them.
"""

from __future__ import annotations

PEOPLE = (
    "pusat",
    "daerah",
    "pendamping",
    "pokja",
    "auditor",
    "auditor.nasional",
    "perancang",
    "admin",
    "tamu",
)
CALLERS = (*PEOPLE[:-1], "tanpa-token", "token-dicabut")

# Who the columns are (docs/security.md shows this too).
WHO = {
    "pusat": "Fasilitator Pusat (nasional)",
    "daerah": "Fasilitator Daerah, Kab. Kerinci",
    "pendamping": "Pendamping, Lempur Mudik",
    "pokja": "Pengurus Pokja, Lempur Mudik",
    "auditor": "Auditor, Kab. Kerinci",
    "auditor.nasional": "Auditor (nasional)",
    "perancang": "Perancang Program (nasional; the definitions only)",
    "admin": "admin (is_admin, no role)",
    "tamu": "signed-out visitor (no session)",
    "tanpa-token": "no token",
    "token-dicabut": "a revoked token (the Pendamping's)",
}

Row = dict[str, str]  # target -> one cell per column, separated by spaces

ALL_200 = "200 200 200 200 200 200 200 200 200"
SIGNED_IN = "200 200 200 200 200 200 200 200 masuk"
SEES_OWN = "200 200 200 200 200 200 404 200 masuk"  # a village of one's own; a designer sees none
SEES_OTHER = "200 404 404 404 404 200 404 200 masuk"  # who sees a village of another kabupaten
AUDITORS = "403 403 403 403 200 200 403 200 masuk"
AUDITORS_OTHER = "403 403 403 403 404 200 403 200 masuk"
DESIGNERS = "403 403 403 403 403 403 200 200 masuk"
ACTS_OWN = "302 302 302 302 403 403 404 302 masuk"  # on the task of their own role
ACTS_OTHER_ROLE = "403 403 403 403 403 403 404 302 masuk"
ACTS_OTHER_VILLAGE = "302 404 404 404 404 403 404 302 masuk"

WEB: dict[str, Row] = {
    "GET /": {"-": "200 200 200 200 302 302 302 200 masuk"},  # auditors, designers: their start page
    "GET /desa-saya": {"-": SIGNED_IN},
    "POST /tugas/massal": {"-": "302 302 302 302 302 302 302 302 masuk"},  # nothing ticked: back to the inbox
    "POST /tugas/saringan": {"-": "302 302 302 302 302 302 302 302 masuk"},  # a filter of their own
    "POST /tugas/saringan/hapus": {"-": "302 302 302 302 302 302 302 302 masuk"},
    "GET /masuk": {"-": ALL_200},
    "POST /masuk": {"-": "302 302 302 302 302 302 302 302 401"},  # own password; the visitor a wrong one
    "POST /keluar": {"-": "302 302 302 302 302 302 302 302 302"},
    "POST /bahasa": {"-": "302 302 302 302 302 302 302 302 302"},
    "GET /akun/kata-sandi": {"-": SIGNED_IN},
    "POST /akun/kata-sandi": {"-": "302 302 302 302 302 302 302 302 masuk"},  # own password, changed
    "GET /static/<path:filename>": {"-": ALL_200},
    "GET /favicon.ico": {"-": ALL_200},
    "GET /status": {"-": ALL_200},
    "GET /healthz": {"-": ALL_200},
    "GET /pemberitahuan": {"-": SIGNED_IN},
    "GET /dasbor": {"-": "200 403 403 403 403 200 403 200 masuk"},
    "GET /desa/<code>": {"sendiri": SEES_OWN, "lain": SEES_OTHER},
    "GET /tugas/<task_id>": {"sendiri": SEES_OWN, "peran-lain": SEES_OWN, "lain": SEES_OTHER},
    "POST /tugas/<task_id>": {
        "sendiri": ACTS_OWN,
        "peran-lain": ACTS_OTHER_ROLE,
        "lain": ACTS_OTHER_VILLAGE,
    },
    "POST /tugas/<task_id>/ambil": {
        "sendiri": ACTS_OWN,
        "peran-lain": ACTS_OTHER_ROLE,
        "lain": ACTS_OTHER_VILLAGE,
    },
    # The task is held by the person of its role there (for the role's own people: themselves).
    "POST /tugas/<task_id>/lepas": {
        "sendiri": ACTS_OWN,
        "peran-lain": ACTS_OTHER_ROLE,
        "lain": ACTS_OTHER_VILLAGE,
    },
    # Given to the person of the task's role there.
    "POST /tugas/<task_id>/alihkan": {
        "sendiri": "302 403 403 403 403 403 404 302 masuk",
        "peran-lain": "302 403 403 403 403 403 404 302 masuk",
        "lain": "302 404 404 404 404 403 404 302 masuk",
    },
    "GET /audit/": {"-": AUDITORS},
    "GET /audit/ekspor": {"-": AUDITORS, "sendiri": AUDITORS, "lain": AUDITORS_OTHER},
    "GET /audit/desa/<code>": {"sendiri": AUDITORS, "lain": AUDITORS_OTHER},
    "GET /audit/desa/<code>/<int:instance_id>/<int:seq>": {"sendiri": AUDITORS, "lain": AUDITORS_OTHER},
    "GET /audit/desa/<code>/<int:instance_id>/tanggal": {
        "sendiri": "403 403 403 403 302 302 403 302 masuk",
        "lain": "403 403 403 403 404 302 403 302 masuk",
    },
    # The offline layer: its files are public; the owner check needs the queue's tag (each asks
    # about their own queue; the visitor about the Pendamping's, as a phone once used by them).
    "GET /sw.js": {"-": ALL_200},
    "GET /manifest.webmanifest": {"-": ALL_200},
    "POST /luring/pemilik": {"-": ALL_200},
    # A submission kept offline, sent again: answered in JSON (200 done, 403 not theirs, 404 gone).
    "POST /tugas/<task_id>/luring": {
        "sendiri": "200 200 200 200 403 403 404 200 masuk",
        "peran-lain": "403 403 403 403 403 403 404 200 masuk",
        "lain": "200 404 404 404 404 403 404 200 masuk",
    },
    "GET /perancangan/": {"-": DESIGNERS},
    "GET /perancangan/<process_id>/<int:version>": {"-": DESIGNERS},
    "GET /perancangan/<process_id>/beda/<int:v1>/<int:v2>": {"-": DESIGNERS},
    # The forms' preview: the forms of the programs on disk (Model Desa's first form), no village data.
    "GET /perancangan/formulir/": {"-": DESIGNERS},
    "GET /perancangan/formulir/<program>/<form>": {"-": DESIGNERS},
    "POST /audit/desa/<code>/verifikasi": {
        "sendiri": "403 403 403 403 302 302 403 302 masuk",
        "lain": "403 403 403 403 404 302 403 302 masuk",
    },
}

API_OWN = "200 200 200 200 403 403 404 200 401 401"
API_OTHER_ROLE = "403 403 403 403 403 403 404 200 401 401"
API_OTHER_VILLAGE = "200 404 404 404 404 403 404 200 401 401"
API_SEES = "200 200 200 200 200 200 200 200 401 401"
API_SEES_OWN = "200 200 200 200 200 200 404 200 401 401"
API_SEES_OTHER = "200 404 404 404 404 200 404 200 401 401"

API: dict[str, Row] = {
    "GET /api/v1/openapi.json": {"-": "200 200 200 200 200 200 200 200 200 200"},
    "GET /api/v1/tasks": {"-": API_SEES},
    "GET /api/v1/tasks/<task_id>": {
        "sendiri": API_SEES_OWN,
        "peran-lain": API_SEES_OWN,
        "lain": API_SEES_OTHER,
    },
    "POST /api/v1/tasks/<task_id>/claim": {
        "sendiri": API_OWN,
        "peran-lain": API_OTHER_ROLE,
        "lain": API_OTHER_VILLAGE,
    },
    "POST /api/v1/tasks/<task_id>/unclaim": {
        "sendiri": API_OWN,
        "peran-lain": API_OTHER_ROLE,
        "lain": API_OTHER_VILLAGE,
    },
    "POST /api/v1/tasks/<task_id>/complete": {
        "sendiri": API_OWN,
        "peran-lain": API_OTHER_ROLE,
        "lain": API_OTHER_VILLAGE,
    },
    "POST /api/v1/instances": {
        "sendiri": "201 201 201 201 403 403 404 201 401 401",
        "lain": "201 404 404 404 404 403 404 201 401 401",
    },
    "GET /api/v1/villages/<code>": {"sendiri": API_SEES_OWN, "lain": API_SEES_OTHER},
}


def cells(row: str, columns: tuple[str, ...]) -> dict[str, str]:
    values = row.split()
    assert len(values) == len(columns), f"{row!r} has {len(values)} cells for {len(columns)} columns"
    return dict(zip(columns, values, strict=True))


def markdown(table: dict[str, Row], columns: tuple[str, ...]) -> str:
    """The table as docs/security.md shows it."""
    lines = [
        "| route | target | " + " | ".join(columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for route, targets in table.items():
        for target, row in targets.items():
            shown = " | ".join(cells(row, columns).values())
            lines.append(f"| `{route}` | {target} | {shown} |")
    return "\n".join(lines)


def count() -> int:
    """How many (route, person, target) cases the tables hold."""
    return sum(len(t) * len(PEOPLE) for t in WEB.values()) + sum(len(t) * len(CALLERS) for t in API.values())


if __name__ == "__main__":
    print(markdown(WEB, PEOPLE))
    print()
    print(markdown(API, CALLERS))
    print(f"\n{count()} cases")
