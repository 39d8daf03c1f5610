"""The evaluation report: its data model and how it is written to disk (JSON, Markdown, PNG)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from finetune.metrics import IntentScores


class ModelRun(BaseModel):
    """The scores of one model on one split."""

    model_config = ConfigDict(frozen=True)

    model: str
    split: str
    scores: IntentScores


class IntentReport(BaseModel):
    """Everything ``cartwise eval intent`` measured.

    Attributes:
        model_dir: The evaluated model.
        data_hash: Hash of the dataset the splits came from.
        threshold: The model's confidence threshold.
        runs: One entry per (model, split): fine-tuned, fine-tuned without threshold, baselines.
        seconds: Wall time per phase (baseline fitting, prediction).
        created_at: ISO-8601 UTC timestamp.
    """

    model_config = ConfigDict(frozen=True)

    model_dir: str
    data_hash: str
    threshold: float
    runs: list[ModelRun]
    seconds: dict[str, float]
    created_at: str

    def summary_rows(self) -> list[dict[str, str | float | int]]:
        """One flat row per run (no per-label data)."""
        return [
            {
                "model": r.model,
                "split": r.split,
                "n": r.scores.n,
                "accuracy": round(r.scores.accuracy, 4),
                "macro_f1": round(r.scores.macro_f1, 4),
                "in_scope_accuracy": round(r.scores.in_scope_accuracy, 4),
                "oos_recall": round(r.scores.oos_recall, 4),
            }
            for r in self.runs
        ]

    def summary_markdown(self) -> str:
        """The headline table in Markdown."""
        lines = [
            "| model | split | n | accuracy | macro-F1 | in-scope acc. | OOS recall |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in self.summary_rows():
            lines.append(
                f"| {row['model']} | {row['split']} | {row['n']} | {_pct(row['accuracy'])} | {_pct(row['macro_f1'])} "
                f"| {_pct(row['in_scope_accuracy'])} | {_pct(row['oos_recall'])} |"
            )
        return "\n".join(lines)

    def run(self, model: str, split: str) -> IntentScores:
        """Scores of ``model`` on ``split``.

        Raises:
            KeyError: If that pair was not evaluated.
        """
        for r in self.runs:
            if r.model == model and r.split == split:
                return r.scores
        raise KeyError(f"no run for model {model!r} on split {split!r}; have {[(r.model, r.split) for r in self.runs]}")


def _pct(value: object) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "-"
    return f"{100 * value:.1f} %"


def write_report(report: IntentReport, out_dir: Path, primary_model: str) -> list[Path]:
    """Write ``report.json``, ``report.md``, ``errors_<split>.json`` and the per-intent tables.

    Args:
        report: What to write.
        out_dir: Created if missing.
        primary_model: The model whose per-intent scores and errors are written.

    Returns:
        The files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.json", out_dir / "report.md"]
    (out_dir / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    md = [
        "# Intent evaluation",
        "",
        f"model `{report.model_dir}` (threshold {report.threshold:.2f}), "
        f"data {report.data_hash[:12]}, {report.created_at}",
        "",
        report.summary_markdown(),
        "",
    ]
    for r in report.runs:
        if r.model != primary_model:
            continue
        md += [f"## {primary_model}: per intent on {r.split}", "", *_per_label_table(r.scores), ""]
        errors_path = out_dir / f"errors_{r.split}.json"
        errors_path.write_text(
            json.dumps([e.model_dump() for e in r.scores.errors], indent=2, ensure_ascii=False), encoding="utf-8"
        )
        written.append(errors_path)
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")
    return written


def _per_label_table(scores: IntentScores) -> list[str]:
    rows = ["| intent | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label, s in sorted(scores.per_label.items()):
        rows.append(f"| {label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |")
    return rows


def plot_confusion(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str], title: str, path: Path
) -> Path:
    """Save a row-normalised confusion matrix as a PNG (matplotlib, Agg backend).

    Args:
        gold: True labels.
        predicted: Predicted labels.
        labels: Row/column order.
        title: Figure title.
        path: Output file.

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(gold, predicted, labels=list(labels), normalize="true")
    size = max(6.0, 0.28 * len(labels))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
