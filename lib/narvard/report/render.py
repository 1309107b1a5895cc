"""Run the area notebook with papermill and export it to a self-contained HTML report."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import sys
from pathlib import Path

from narvard.results.schema import import_jsonschema

import_jsonschema()  # before nbformat: it imports jsonschema (see that module)

import jupytext  # noqa: E402
import nbformat  # noqa: E402
import papermill  # noqa: E402
from ipykernel.kernelspec import install as install_kernel  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor  # noqa: E402
from traitlets.config import Config  # noqa: E402

from narvard.paths import TEMPLATES_DIR, area_notebook  # noqa: E402

KERNEL = "narvard"
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters")


class DropStderr(Preprocessor):
    """Remove stderr streams (warnings, progress noise) from every cell's outputs."""

    def preprocess_cell(self, cell, resources, index):
        if "outputs" in cell:
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
        return cell, resources


def ensure_kernel() -> str:
    """Register a `narvard` kernel for this very Python (inside its environment).

    A plain `python3` kernel may resolve to another Python (a user-level kernelspec
    takes precedence over the environment's), which would run reports without the
    pinned packages. Installing into sys.prefix keeps it inside .venv or the conda env.
    """
    specs = KernelSpecManager().find_kernel_specs()
    wanted = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL
    if Path(specs.get(KERNEL, "")).resolve() != wanted.resolve() or not wanted.exists():
        install_kernel(kernel_name=KERNEL, display_name="Python 3 (narvard)", prefix=sys.prefix)
    return KERNEL


def execute_area_notebook(
    area_dir: Path,
    parameters: dict,
    notebook_source: Path | None = None,
    environment: dict[str, str] | None = None,
) -> Path:
    """Execute the jupytext notebook for one area into area_dir/report.ipynb.

    The kernel runs in area_dir, so results_path may be relative and the executed
    notebook can be rerun in place (nbval, reviewers). Where the data are is passed in
    `environment` (not as parameters), so the executed notebook holds no path of this
    machine; papermill's own record of the input and output paths is replaced by names.
    """
    source_path = notebook_source or area_notebook()
    source = jupytext.read(source_path)
    kernel = ensure_kernel()
    source.metadata["kernelspec"] = {
        "name": kernel,
        "display_name": "Python 3 (narvard)",
        "language": "python",
    }
    source.metadata["language_info"] = {"name": "python"}
    output = Path(area_dir) / "report.ipynb"
    try:
        with _environment(environment or {}):
            papermill.execute_notebook(
                source,
                str(output),
                parameters=parameters,
                kernel_name=kernel,
                cwd=str(area_dir),
                # Written once at the end (and on an error), not after every cell: each
                # write serialises the growing notebook with its SVGs (~2 s per area).
                request_save_on_cell_execute=False,
                progress_bar=False,
                log_output=False,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    finally:
        if output.exists():
            _record_paths_by_name(output, f"notebooks/{Path(source_path).name}")
    return output


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for the kernel papermill starts, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _record_paths_by_name(notebook_path: Path, source_name: str) -> None:
    """Replace papermill's input/output paths (a copy of the source notebook, a temporary
    folder) by the source's project-relative name and the file's own name."""
    notebook = nbformat.read(notebook_path, as_version=4)
    record = notebook.metadata.get("papermill", {})
    record["input_path"] = source_name
    record["output_path"] = notebook_path.name
    nbformat.write(notebook, notebook_path)


def export_html(notebook_path: Path, html_path: Path, title: str) -> Path:
    """Write a report with no code, prompts, parameters or stderr, and no network references."""
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_CELL_TAGS)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        template_name="narvard",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="sv",
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    exporter.register_preprocessor(DropStderr(), enabled=True)
    notebook = nbformat.read(str(notebook_path), as_version=4)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    Path(html_path).write_text(with_table_of_contents(body), encoding="utf-8")
    return Path(html_path)


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def table_of_contents(page: str) -> str:
    """A nested list of links to every h2 and h3 (nbconvert 7 has no TOC of its own)."""
    sections: list[tuple[str, list[str]]] = []
    for level, anchor, inner in _HEADING.findall(page):
        text = html.escape(html.unescape(re.sub(r"<[^>]+>|¶", "", inner)).strip())
        link = f'<a href="#{anchor}">{text}</a>'
        if level == "2" or not sections:
            sections.append((link, []))
        else:
            sections[-1][1].append(link)
    entries = "".join(
        f"<li>{link}"
        + (f"<ol>{''.join(f'<li>{s}</li>' for s in subs)}</ol>" if subs else "")
        + "</li>"
        for link, subs in sections
    )
    return (
        '<nav class="narvard-toc" aria-label="Innehåll"><strong>Innehåll</strong>'
        f"<ol>{entries}</ol></nav>"
    )


def with_table_of_contents(page: str) -> str:
    """Insert the table of contents after the summary (before the second h2), so that the
    area's answer is the first thing a reader sees."""
    starts = [m.start() for m in re.finditer(r"<h2[ >]", page)]
    if not starts:
        return page
    position = starts[1] if len(starts) > 1 else starts[0]
    return page[:position] + table_of_contents(page) + page[position:]


def notebook_error(notebook_path: Path) -> str | None:
    """The first error a (failed) executed notebook recorded, for the run log."""
    try:
        notebook = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"
    return None
