import json
import os

import pytest

from unlearnflow.data.records import Profile
from unlearnflow.jsonl import DataFileError, read_jsonl, write_jsonl

PERSON = Profile(
    person_id="p0000",
    name="Ada Berg",
    gender="female",
    birth_year=1960,
    birth_city="Lund",
    birth_country="Sweden",
    occupation="a baker",
)


def test_round_trip(tmp_path):
    path = tmp_path / "profiles.jsonl"
    write_jsonl(path, [PERSON, PERSON.model_copy(update={"person_id": "p0001"})])
    assert [p.person_id for p in read_jsonl(path, Profile)] == ["p0000", "p0001"]


@pytest.mark.parametrize(
    "bad_line, reason",
    [("{not json", "Expecting property name"), (json.dumps({"person_id": "x"}), "name")],
)
def test_malformed_line_names_file_and_line(tmp_path, bad_line, reason):
    path = tmp_path / "profiles.jsonl"
    path.write_text(PERSON.model_dump_json() + "\n" + bad_line + "\n")
    with pytest.raises(DataFileError, match=rf"profiles\.jsonl:2: not a valid Profile.*{reason}"):
        read_jsonl(path, Profile)


def test_written_files_take_the_umask_like_any_other(tmp_path):
    previous = os.umask(0o022)
    try:
        write_jsonl(tmp_path / "profiles.jsonl", [PERSON])
    finally:
        os.umask(previous)
    assert (tmp_path / "profiles.jsonl").stat().st_mode & 0o777 == 0o644


def test_unknown_field_is_an_error(tmp_path):
    path = tmp_path / "profiles.jsonl"
    path.write_text(json.dumps({**PERSON.model_dump(), "nickname": "Ad"}) + "\n")
    with pytest.raises(DataFileError, match=r":1: .*nickname"):
        read_jsonl(path, Profile)
