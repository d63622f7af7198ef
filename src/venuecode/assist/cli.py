"""`venuecode assist …` commands (the lead mounts `app` under the main CLI).

    venuecode assist read-id card.jpg
    {"id_number": "330106195203071232", "name": "张秀英", "confidence": 0.99}

Exit status: 0 read, 1 no valid number could be read (why on stderr), 2 the file is
missing or not a readable image, 3 the OCR engine is not installed (`pip install
'venuecode[ocr]'`) or cannot start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

# ocr.py is light (the engine loads on first use); idcard.py pulls in Pillow, so later.
from venuecode.assist.ocr import OcrUnavailable, get_recognizer

app = typer.Typer(help="Help-scan (帮扫) tools.", no_args_is_help=True)


@app.callback()
def _assist() -> None:
    """Help-scan (帮扫) tools: read ID cards for people without phones."""
    # A callback keeps `read-id` a sub-command even while it is the only one.


@app.command("read-id")
def read_id(
    image: Annotated[Path, typer.Argument(help="Photo of the card's front (JPEG/PNG).")],
    threads: Annotated[int | None, typer.Option(help="OCR threads (default: all cores).", min=1)] = None,
) -> None:
    """Read the name and ID number from a photo of a resident ID card, as JSON."""
    from venuecode.assist.idcard import IdCardImageError, ReadProblem, read_id_card

    try:
        data = image.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {image}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    try:
        reading = read_id_card(data, get_recognizer(threads))
    except IdCardImageError as exc:
        typer.echo(f"error: {image}: {exc.message_en}", err=True)
        raise typer.Exit(2) from None
    except OcrUnavailable as exc:
        typer.echo(f"error: {exc.message_en}\n       {exc.message_zh}", err=True)
        raise typer.Exit(3) from None
    typer.echo(
        json.dumps(
            {
                "id_number": reading.id_number,
                "name": reading.name,
                "confidence": reading.confidence,
            },
            ensure_ascii=False,
        )
    )
    for problem in reading.problems:
        typer.echo(f"warning: {ReadProblem(problem).message_en}", err=True)
    if reading.id_number is None:
        typer.echo(f"error: no valid ID number could be read from {image}", err=True)
        raise typer.Exit(1)
