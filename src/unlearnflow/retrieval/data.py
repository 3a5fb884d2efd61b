"""The retrieval track's data in the BEIR layout (Thakur et al. 2021): `corpus.jsonl`
(`_id`, `title`, `text`), `queries.jsonl` (`_id`, `text`) and `qrels/{train,test}.tsv`
(`query-id`, `corpus-id`, `score`, under a header), plus `forget.json`, the documents
to unlearn.

Sources (`retrieval.source`):
- `synthetic`: the benchmark the workflow generates. The documents are its fact
  sentences with the person's name replaced by "this person", so that retrieving a
  person's fact takes knowing who did what (with the names in the text any embedder
  retrieves by string match); every person's facts, the held-out people's included,
  make the corpus. Training queries are the benchmark's questions, test queries their
  paraphrases; the forget documents are the forget set's facts.
- a local folder in the BEIR layout, or a Hub dataset id whose configs `corpus` and
  `queries` and companion `{id}-qrels` dataset (BEIR's Hub layout) give the same. The
  forget documents are those relevant to a seeded `forget_share` of the training
  queries; those training pairs join the test qrels, so that forgetting is measured on
  the queries it was asked for.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from ..atomic import write_text_atomic
from ..benchmarks.source import is_local

SYNTHETIC = "synthetic"
QRELS_SPLITS = ("train", "test")


class RetrievalDataError(ValueError):
    """Retrieval data the track cannot use; names the key, the file and the row."""


def _anonymised(text: str, name: str) -> str:
    text = text.replace(f"{name}'s", "this person's").replace(name, "this person")
    return text[0].upper() + text[1:]


def synthetic_data(facts: Path, profiles: Path, sf: Path, sr: Path, wrong_details: Path):
    def rows(path):
        return [json.loads(line) for line in Path(path).read_text().splitlines() if line]

    names = {person["person_id"]: person["name"] for person in rows(profiles)}
    corpus = [
        {"_id": f["fact_id"], "title": "", "text": _anonymised(f["text"], names[f["person_id"]])}
        for f in rows(facts)
    ]
    paraphrases = {row["qa_id"]: row["paraphrased_questions"] for row in rows(wrong_details)}
    questions = rows(sf) + rows(sr)
    queries, qrels = [], {"train": [], "test": []}
    for qa in questions:
        queries.append({"_id": qa["qa_id"], "text": qa["question"]})
        qrels["train"].append((qa["qa_id"], qa["fact_id"], 1))
        for number, text in enumerate(paraphrases.get(qa["qa_id"], [])):
            queries.append({"_id": f"{qa['qa_id']}~{number}", "text": text})
            qrels["test"].append((f"{qa['qa_id']}~{number}", qa["fact_id"], 1))
    forget = sorted({qa["fact_id"] for qa in questions if qa["forget"]})
    return corpus, queries, qrels, forget


def _read_jsonl(path: Path, fields: tuple[str, ...]) -> list[dict]:
    rows = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise RetrievalDataError(f"{path}, line {number}: not JSON") from None
        missing = [field for field in fields if not isinstance(row.get(field), str)]
        if missing:
            raise RetrievalDataError(f"{path}, line {number}: no text field {missing[0]!r}")
        rows.append(row)
    return rows


def _read_qrels(path: Path) -> list[tuple[str, str, int]]:
    with Path(path).open(newline="") as table:
        reader = csv.reader(table, delimiter="\t")
        next(reader, None)  # the header
        return [(query, doc, int(score)) for query, doc, score in reader]


def beir_folder(folder: Path):
    """corpus, queries and qrels of a BEIR folder; a missing file names itself."""
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv"):
        if not (folder / name).is_file():
            raise RetrievalDataError(
                f"config key retrieval.source: {folder} has no {name} (the BEIR layout)"
            )
    corpus = _read_jsonl(folder / "corpus.jsonl", ("_id", "text"))
    queries = _read_jsonl(folder / "queries.jsonl", ("_id", "text"))
    qrels = {split: _read_qrels(folder / f"qrels/{split}.tsv") for split in QRELS_SPLITS}
    return corpus, queries, qrels, {split: str(folder / f"qrels/{split}.tsv") for split in qrels}


def beir_hub(source: str):
    from datasets import load_dataset

    try:
        corpus = list(load_dataset(source, "corpus", split="corpus"))
        queries = list(load_dataset(source, "queries", split="queries"))
        qrels_sets = load_dataset(f"{source}-qrels")
    except Exception as error:  # noqa: BLE001 - offline, unknown id
        raise RetrievalDataError(
            f"config key retrieval.source: cannot load {source} from the Hub"
            f" ({type(error).__name__}: {error}); offline, give a folder in the BEIR layout"
        ) from None
    qrels = {
        split: [(r["query-id"], r["corpus-id"], int(r["score"])) for r in qrels_sets[split]]
        for split in QRELS_SPLITS
    }
    return corpus, queries, qrels, {split: f"{source}-qrels (Hub), {split}" for split in qrels}


def check_qrels(qrels: dict, corpus: list[dict], queries: list[dict], where: dict) -> None:
    """Every qrels row names a known query and a known document; the first that does
    not is named with its file and row (the header is row 1)."""
    documents, known_queries = {row["_id"] for row in corpus}, {row["_id"] for row in queries}
    for split, rows in qrels.items():
        for number, (query, document, _) in enumerate(rows, start=2):
            if document not in documents:
                raise RetrievalDataError(
                    f"{where[split]}, row {number}: unknown document {document!r}"
                    " (not in the corpus)"
                )
            if query not in known_queries:
                raise RetrievalDataError(f"{where[split]}, row {number}: unknown query {query!r}")


def with_forget_share(qrels: dict, share: float, seed: int):
    """The documents of a seeded `share` of the training queries, and the test qrels
    with those queries' training pairs added."""
    train_queries = sorted({query for query, _, _ in qrels["train"]})
    chosen = set(
        random.Random(seed).sample(train_queries, max(1, round(share * len(train_queries))))
    )
    forget = sorted({doc for query, doc, score in qrels["train"] if query in chosen and score > 0})
    added = [row for row in qrels["train"] if row[0] in chosen]
    return forget, {"train": qrels["train"], "test": qrels["test"] + added}


def write_retrieval_data(
    source: str, forget_share: float, seed: int, output: dict[str, Path], **synthetic: Path
) -> None:
    """The BEIR files and `forget.json` at `output` (corpus, queries, train, test, forget)."""
    if source == SYNTHETIC:
        corpus, queries, qrels, forget = synthetic_data(**synthetic)
    else:
        corpus, queries, qrels, where = (
            beir_folder(Path(source)) if is_local(source) else beir_hub(source)
        )
        check_qrels(qrels, corpus, queries, where)
        forget, qrels = with_forget_share(qrels, forget_share, seed)

    def jsonl(rows):
        return "".join(json.dumps(row) + "\n" for row in rows)

    def tsv(rows):
        return "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in rows)

    write_text_atomic(output["corpus"], jsonl(corpus))
    write_text_atomic(output["queries"], jsonl(queries))
    for split in QRELS_SPLITS:
        write_text_atomic(output[split], tsv(qrels[split]))
    write_text_atomic(output["forget"], json.dumps({"documents": forget}, indent=1) + "\n")


class RetrievalData:
    """The written data, loaded: texts by id, qrels by split, the forget documents."""

    def __init__(self, files: dict[str, Path]):
        self.corpus = {r["_id"]: _document_text(r) for r in _read_jsonl(files["corpus"], ("_id",))}
        self.queries = {r["_id"]: r["text"] for r in _read_jsonl(files["queries"], ("_id",))}
        self.qrels = {split: _read_qrels(files[split]) for split in QRELS_SPLITS}
        self.forget = set(json.loads(Path(files["forget"]).read_text())["documents"])

    def pairs(self, split: str, forget: bool | None = None) -> list[tuple[str, str]]:
        """(query id, document id) of the relevant rows of `split`; `forget` True keeps
        the pairs of forget documents, False the others, None all."""
        return [
            (query, doc)
            for query, doc, score in self.qrels[split]
            if score > 0 and (forget is None or (doc in self.forget) == forget)
        ]


def _document_text(row: dict) -> str:
    title = row.get("title") or ""
    return f"{title} {row['text']}".strip() if title else row["text"]
