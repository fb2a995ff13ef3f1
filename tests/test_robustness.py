"""No input makes clustbudget crash: every mutation of a real budget or report is either
accepted or reported as findings (never an exception, never a traceback)."""

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustbudget.pipeline import load_project, validate_paths

from .conftest import DATA, EXAMPLE

SOURCES = [EXAMPLE, DATA / "budgets" / "good.yaml", DATA / "reports" / "budget" / "sal-1.yaml"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.text(max_size=12),
    st.sampled_from(
        [
            "0700",
            "7:30",
            "yes",
            "1,5",
            "130.000",
            ".nan",
            "2021-02-30",
            "2021-13",
            "-1",
            "1e3",
            "~",
            "",
            "=SUM(A1)",
            "A",
            "E",
            "cash",
            "2021-01-01",
            "99999999999999999999",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths_of(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths_of(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths_of(v, (*prefix, i))


def mutate(data, path, value):
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SOURCES), st.data())
def test_any_mutation_is_reported_not_raised(tmp_path_factory, source, data):
    original = yaml.safe_load(source.read_text())
    paths = list(paths_of(original))
    path = data.draw(st.sampled_from(paths))
    doc = mutate(original, path, data.draw(values))
    folder = tmp_path_factory.mktemp("fuzz")
    # a report names its budget as ../budget.yaml: lay the files out as in tests/data/reports
    (folder / "budget").mkdir()
    (folder / "budget.yaml").write_text((DATA / "reports" / "budget.yaml").read_text())
    target = folder / "budget" / source.name
    target.write_text(yaml.safe_dump(doc, allow_unicode=True) if not isinstance(doc, str) else doc)
    run = validate_paths([Path(folder)])  # the assertion is that nothing raised
    assert len(run.files) == 2
    if isinstance(doc, dict) and "costs" in doc:
        load_project(target)


def test_garbage_bytes_are_reported(tmp_path):
    import random

    rng = random.Random(7)
    for i in range(30):
        path = tmp_path / f"g{i}.yaml"
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
        run = validate_paths([path])
        assert run.exit_code() in (1, 2)
