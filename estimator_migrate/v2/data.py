"""v1 data objects -> v2 ``Input``/``Output`` code (spec v2 §7, V24, V25, V26, V28, V44).

Arguments are code text (``"'mnist/v3'"``, ``"store_name"``); literals give literal URIs, other
code a concatenation evaluated when the program runs. What v2 does differently and the code therefore spells out:

* the mode is always written: without it v2 sends none and the service picks (V24);
  ``as_mount()`` -> ``ro_mount`` for inputs, ``rw_mount`` for outputs; ``as_download()`` ->
  ``download``; ``as_upload()`` (a DataReference or an output) -> an ``Output`` with ``upload``;
* a v1 output's default location (``workspaceblobstore``, ``dataset/{run-id}/{output-name}``) is
  written, and v1's ``{run-id}``/``{output-name}`` become v2's ``${{name}}``/``${{output_name}}``
  (v2 keeps v1's words literally, V28);
* ``path_on_compute`` is never written (v2 drops it and the submit then fails, V25): reported;
  so are a TabularDataset read as a dataset (V26) and upload options v2 has no field for.
"""

from __future__ import annotations

import ast

from estimator_migrate.v2.snippet import Import, Report, Snippet, py_string

INPUT: Import = ("azure.ai.ml", "Input")
OUTPUT: Import = ("azure.ai.ml", "Output")
MANUAL_DATA = "EM506"
V1_OUTPUT_PATH = "dataset/{run-id}/{output-name}"
V1_OUTPUT_DATASTORE = "workspaceblobstore"
_INPUT_MODES = {"mount": "ro_mount", "download": "download", "direct": "direct"}
_OUTPUT_MODES = {"mount": "rw_mount", "upload": "upload"}


def _literal(code: str | None) -> tuple[bool, object]:
    if code is None:
        return True, None
    try:
        return True, ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError):
        return False, None


def _v2_placeholders(text: str) -> str:
    return text.replace("{run-id}", "${{name}}").replace("{output-name}", "${{output_name}}")


def datastore_uri(datastore: str, path: str | None = None, *, output: bool = False) -> str:
    """``azureml://datastores/<ds>/paths/<p>`` as code: a literal when both are literals, else a
    concatenation that builds it when the program runs (``path=None``: the datastore root)."""
    ok_store, store = _literal(datastore)
    ok_path, value = _literal(path)
    parts = ["azureml://datastores/", store if ok_store and isinstance(store, str) else ("code", f"str({datastore})"),
             "/paths/"]
    if ok_path and isinstance(value, str):
        parts.append((_v2_placeholders(value) if output else value).strip("/"))
    elif not (ok_path and value is None):
        code = f'str({path}).strip("/")'
        if output:
            code += '.replace("{run-id}", "${{name}}").replace("{output-name}", "${{output_name}}")'
        parts.append(("code", code))
    pieces, text = [], ""
    for part in parts:
        if isinstance(part, tuple):
            if text:
                pieces.append(py_string(text))
                text = ""
            pieces.append(part[1])
        else:
            text += part
    if text:
        pieces.append(py_string(text))
    return " + ".join(pieces)


def data_reference(datastore: str, path: str | None = None, *, mode: str = "mount",
                   path_on_compute: str | None = None, file: bool = False) -> Snippet:
    """``ds.path(p).as_mount()`` / ``DataReference(ds, path_on_datastore=p, mode=...)`` / a
    datastore (root, mount) -> ``Input(...)``; ``as_upload()`` -> ``Output(..., mode="upload")``.
    ``file``: the path is one file (``uri_file``; v1 did not say, the renderer may know)."""
    kind = "uri_file" if file else "uri_folder"
    reports = _path_on_compute(path_on_compute)
    if mode == "upload":
        return Snippet(f'Output(type="{kind}", path={datastore_uri(datastore, path)}, mode="upload")', (OUTPUT,),
                       reports)
    return Snippet(f'Input(type="{kind}", path={datastore_uri(datastore, path)}, mode="{_INPUT_MODES[mode]}")',
                   (INPUT,), reports)


def dataset(name: str, version: str | None = None, *, mode: str = "mount", tabular: bool = False,
            path_on_compute: str | None = None) -> Snippet:
    """A registered dataset (``Dataset.get_by_name(ws, name, version)``) consumed as
    ``.as_named_input(n).as_mount()`` / ``.as_download()`` -> ``Input(path="azureml:name:version")``
    (``@latest`` when v1 asked for the latest)."""
    reports = _path_on_compute(path_on_compute)
    ok_name, name_value = _literal(name)
    ok_version, version_value = _literal(version)
    latest = version is None or (ok_version and version_value in (None, "latest"))
    if ok_name and isinstance(name_value, str) and (latest or ok_version):
        path = py_string(f"azureml:{name_value}@latest" if latest else f"azureml:{name_value}:{version_value}")
    else:
        name_part = py_string(f"azureml:{name_value}") if ok_name and isinstance(name_value, str) else \
            f'"azureml:" + str({name})'
        path = name_part + (' + "@latest"' if latest else f' + ":" + str({version})')
    if tabular:
        reports += (Report(MANUAL_DATA, "a TabularDataset: v2 reads tables as mltable inputs and the script no "
                                        "longer gets run.input_datasets; whether a v1-registered tabular dataset "
                                        "loads as mltable is not verified (V26)",
                           "Pass the data as an Input(type=\"mltable\") and load it with mltable in the script."),)
        return Snippet(f'Input(type="mltable", path={path}, mode="direct")', (INPUT,), reports)
    return Snippet(f'Input(type="uri_folder", path={path}, mode="{_INPUT_MODES[mode]}")', (INPUT,), reports)


def output(destination: tuple[str, str | None] | None = None, *, mode: str = "mount",
           upload_options: bool = False, partition_format: bool = False) -> Snippet:
    """``OutputFileDatasetConfig(name, destination=(ds, path))`` + ``.as_mount()``/``.as_upload()``
    -> ``Output(type="uri_folder", path=..., mode=...)``, at v1's location (v1's default when no
    destination). ``upload_options``: ``as_upload(overwrite=..., source_globs=...)`` was given."""
    datastore, path = destination if destination is not None else (py_string(V1_OUTPUT_DATASTORE),
                                                                    py_string(V1_OUTPUT_PATH))
    reports: tuple[Report, ...] = ()
    if upload_options or partition_format:
        what = "as_upload(overwrite=, source_globs=)" if upload_options else "partition_format"
        reports = (Report(MANUAL_DATA, f"{what} has no v2 counterpart", "Check what the script writes; v2 uploads "
                          "the whole output folder."),)
    return Snippet(f'Output(type="uri_folder", path={datastore_uri(datastore, path, output=True)}, '
                   f'mode="{_OUTPUT_MODES[mode]}")', (OUTPUT,), reports)


def _path_on_compute(code: str | None) -> tuple[Report, ...]:
    ok, value = _literal(code)
    if ok and value is None:
        return ()
    return (Report(MANUAL_DATA, "path_on_compute has no v2 counterpart (v2 drops it and the submit fails, V25); "
                                "the input is mounted where v2 chooses", "Read the path from the argument instead."),)
