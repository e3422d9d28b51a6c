"""培训: inspectors' hours against the requirement, adding and importing records, an exam paper — thin
pages over TrainingLog and the quiz bank."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.records.calendar import local_date
from bot.records.sheets import ImportReport
from bot.records.training.entries import kinds, make_entry, read_entries
from bot.reports.exam import write_exam
from bot.web.auth import console_page, current, services
from bot.web.pages import DOCX, download, page, query_year, redirect
from bot.web.security import checked_form, text
from knowledge.errors import PufaError
from knowledge.quiz.bank import QuizBank
from knowledge.quiz.topics import topic_names

MAX_SHEET_BYTES = 5 * 1024 * 1024
EXAM_SIZES = (10, 20, 30, 50)


@console_page()
async def training_page(request: Request) -> Response:
    web = services(request)
    year = query_year(request, local_date(web.records.database.now()))
    report = await web.run(web.records.training.report, year)
    accounts = await web.run(web.records.accounts.list)
    return page(
        request,
        "console/training.html",
        report=report,
        year=year,
        kinds=kinds(),
        topics=topic_names(),
        people=sorted({a.name for a in accounts if a.active} | {s.inspector for s in report.inspectors}),
        today=local_date(web.records.database.now()).isoformat(),
        sizes=EXAM_SIZES,
    )


@console_page()
async def training_add(request: Request) -> Response:
    form = await checked_form(request)
    web = services(request)
    fields = {k: str(form.get(k, "")).strip() for k in ("inspector", "date", "hours", "kind", "topic", "score")}
    try:
        today = local_date(web.records.database.now())
        entry = make_entry(
            fields["inspector"], fields["date"], fields["hours"], fields["kind"], fields["topic"], fields["score"], today=today
        )
        await web.run(web.records.training.add, entry, "web")
    except PufaError as error:
        return redirect("/console/training", ("error", str(error)), request)
    return redirect(f"/console/training?year={entry.day.year}", ("ok", text("pages.training_saved")), request)


@console_page()
async def training_import(request: Request) -> Response:
    """A sheet of training records: every row checked first, nothing stored when any row is bad."""
    form = await checked_form(request)
    web = services(request)
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return redirect("/console/training", ("error", text("errors.file_missing")), request)
    content = await upload.read(MAX_SHEET_BYTES + 1)
    if len(content) > MAX_SHEET_BYTES:
        return redirect("/console/training", ("error", text("errors.file_too_large", limit=5)), request)

    name = Path(upload.filename).name

    def imported() -> ImportReport:
        with tempfile.TemporaryDirectory(prefix="pufa-web-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            sheet = read_entries(path, local_date(web.records.database.now()))
        return web.records.training.import_entries(name, sheet, current(request).actor)

    try:
        report = await web.run(imported)
    except PufaError as error:
        return redirect("/console/training", ("error", str(error)), request)
    return redirect("/console/training", ("ok" if report.applied else "error", report.render()), request)


@console_page()
async def exam_download(request: Request) -> Response:
    """An exam paper (or its key) from the quiz bank; the same seed gives the same paper."""
    web = services(request)
    raw_size, raw_seed = request.query_params.get("questions", "20"), request.query_params.get("seed", "")
    if not raw_size.isdigit() or int(raw_size) not in EXAM_SIZES or (raw_seed and not raw_seed.isdigit()):
        raise HTTPException(400, text("errors.number_invalid", field="题量", value=raw_size))
    seed = int(raw_seed) if raw_seed else random.SystemRandom().randrange(1, 1_000_000)
    key = request.query_params.get("part") == "key"

    def written() -> bytes:
        bank = QuizBank.from_library(web.assistant.library)
        questions, points = bank.exam(int(raw_size), seed, bank.topics)
        with tempfile.TemporaryDirectory(prefix="pufa-web-") as folder:
            paper, answers = write_exam(questions, points, Path(folder) / "exam.docx", seed, bank.topics)
            return (answers if key else paper).read_bytes()

    content = await web.run(written)
    name = f"执法人员法律知识考试{'答案' if key else '试卷'}（种子{seed}）.docx"
    return download(content, name, DOCX)


routes = [
    Route("/console/training", training_page),
    Route("/console/training/add", training_add, methods=["POST"]),
    Route("/console/training/import", training_import, methods=["POST"]),
    Route("/console/training/exam", exam_download),
]
