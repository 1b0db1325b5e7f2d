"""meta.json is digested by the keys notebooks use, so provenance-only changes re-run nothing."""

import json

from analysis.report.build_state import META_KEYS, data_digest, file_digest


def _write(path, **meta):
    path.write_text(json.dumps(meta), "utf-8")
    return data_digest(path)


def test_provenance_and_counts_do_not_change_the_digest(tmp_path):
    meta = tmp_path / "meta.json"
    base = {"is_sample": True, "years": [2023, 2024], "regions": ["640000"]}
    a = _write(meta, **base, raw_digest="aaa", counts={"error": 0})
    b = _write(meta, **base, raw_digest="bbb", counts={"error": 3})
    assert a == b


def test_every_key_notebooks_read_changes_the_digest(tmp_path):
    meta = tmp_path / "meta.json"
    base = {"is_sample": True, "years": [2023, 2024], "regions": ["640000"]}
    reference = _write(meta, **base)
    changed = {"is_sample": False, "years": [2024], "regions": ["640100"]}
    assert set(changed) == set(META_KEYS)
    for key, value in changed.items():
        assert _write(meta, **{**base, key: value}) != reference, key


def test_other_files_and_unreadable_meta_use_their_bytes(tmp_path):
    facts = tmp_path / "facts.parquet"
    facts.write_bytes(b"abc")
    assert data_digest(facts) == file_digest(facts)
    meta = tmp_path / "meta.json"
    meta.write_text("{not json", "utf-8")
    assert data_digest(meta) == file_digest(meta)
