"""``pufa units``: the register of regulated units (执法对象库)."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.cli.parsing import add_command
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.services import Records
from bot.records.units.records import Unit
from bot.records.units.register import UnitInput, UnitRegister
from bot.records.validate import parse_date
from bot.settings import Settings
from knowledge.law import domains

DOMAIN_HELP = "领域：实验动物 或 人类遗传资源（也可写 lab_animals、human_genetic_resources；可重复）"



def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``units`` and its sub-commands on the ``pufa`` parser."""
    units = add_command(
        subparsers,
        "units",
        "执法对象库：导入、查看、添加、修改受监管单位",
        "pufa units import 执法对象.xlsx；pufa units list",
    )
    commands = units.add_subparsers(
        dest="units_command", required=True, metavar="{import,list,add,update,retire,pending,confirm,reject}"
    )

    imported = add_command(
        commands,
        "import",
        "从表格（.csv 或 .xlsx，第一行为表头）导入单位；列：单位名称、统一社会信用代码、领域、许可证号、地址、联系人。"
        "按统一社会信用代码新增或更新；有错误行时整个文件不导入（除非加 --partial）",
        "pufa units import 2026年执法对象.xlsx",
    )
    imported.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="CSV（UTF-8、带 BOM 的 UTF-8 或 GBK）或 XLSX 文件"
    )
    imported.add_argument("--partial", action="store_true", help="只导入正确的行，错误行列出后跳过")
    imported.add_argument("--undo", type=int, metavar="BATCH", help="整批撤销一次导入（批次号见导入结果）")
    imported.add_argument("--by", metavar="姓名", help="操作人姓名（默认当前系统用户）")
    imported.set_defaults(func=run_import)

    listed = add_command(commands, "list", "列出执法对象库中的单位", "pufa units list --domain 实验动物 --json")
    listed.add_argument("--domain", metavar="领域", help="只列出某一领域的单位（实验动物 或 人类遗传资源）")
    listed.add_argument("--json", action="store_true", help="输出 JSON 数组")
    listed.set_defaults(func=run_list)

    added = add_command(
        commands,
        "add",
        "添加一个单位",
        "pufa units add --name 康源实验动物技术有限公司 --code 91110108000000001A --domain 实验动物 --licence 'SYXK(京)2024-0001'",
    )
    added.add_argument("--name", metavar="名称", required=True, help="单位名称")
    added.add_argument("--code", metavar="信用代码", required=True, help="统一社会信用代码（18 位）")
    _unit_fields(added, domain_required=True)
    added.set_defaults(func=run_add)

    updated = add_command(
        commands,
        "update",
        "修改单位信息（只改给出的项；--domain 给出时替换全部领域）",
        "pufa units update 康源 --address 北京市海淀区某路1号 --contact '张三 13800000000'",
    )
    updated.add_argument("unit", metavar="UNIT", help="单位名称（或其中一段）或统一社会信用代码")
    updated.add_argument("--name", metavar="名称", help="新的单位名称")
    updated.add_argument("--code", metavar="信用代码", help="新的统一社会信用代码")
    _unit_fields(updated, domain_required=False)
    updated.set_defaults(func=run_update)

    retire = add_command(
        commands,
        "retire",
        "停用一个单位（注销、迁出或误录）：保留历史记录，自停用日起不再计入覆盖率分母，列表中单独列出",
        "pufa units retire 康源 --date 2026-06-30 --reason 已注销",
    )
    retire.add_argument("unit", metavar="UNIT", help="单位名称（或其中一段）或统一社会信用代码")
    retire.add_argument("--date", metavar="YYYY-MM-DD", required=True, help="停用日期（自该日起不计入覆盖率）")
    retire.add_argument("--reason", metavar="原因", required=True, help="停用原因")
    retire.set_defaults(func=run_retire)

    pending = add_command(commands, "pending", "列出机器人中自行登记、尚未在库中的单位申请", "pufa units pending")
    pending.set_defaults(func=run_pending)
    confirm = add_command(
        commands,
        "confirm",
        "确认一个单位登记申请：加入执法对象库并关联申请人",
        "pufa units confirm 3 --domain 实验动物",
    )
    confirm.add_argument("request", type=int, metavar="ID", help="申请编号（见 pufa units pending）")
    confirm.add_argument("--domain", metavar="领域", action="append", required=True, help=DOMAIN_HELP)
    confirm.set_defaults(func=run_confirm)
    reject = add_command(commands, "reject", "驳回一个单位登记申请", "pufa units reject 3")
    reject.add_argument("request", type=int, metavar="ID", help="申请编号")
    reject.set_defaults(func=run_reject)


def _unit_fields(parser: argparse.ArgumentParser, *, domain_required: bool) -> None:
    parser.add_argument(
        "--domain", metavar="领域", action="append", required=domain_required, help=DOMAIN_HELP
    )
    parser.add_argument("--licence", metavar="许可证号", help="许可证号（如有）")
    parser.add_argument("--address", metavar="地址", help="地址")
    parser.add_argument("--contact", metavar="联系人", help="联系人及电话")


def unit_line(unit: Unit) -> str:
    """One unit as a line of text."""
    return text(
        "cli.unit_line",
        name=unit.name,
        code=unit.credit_code,
        domains="、".join(domains.label(d) for d in unit.domains),
        licence=unit.licence_no or "—",
        address=unit.address or "—",
        contact=unit.contact or "—",
    ) + (
        ""
        if unit.retired_on is None
        else "｜" + text("labels.retired", date=unit.retired_on.isoformat(), reason=unit.retire_reason)
    )


def _with_register(settings: Settings, work: Callable[[UnitRegister], int]) -> int:
    store = Records.open(settings)
    try:
        return work(store.units)
    finally:
        store.close()


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    actor = f"cli:{args.by or getpass.getuser()}"
    if (args.undo is None) == (args.file is None):
        raise RecordsError(text("cli.import_usage", command="pufa units import"))
    if args.undo is not None:

        def undo(register: UnitRegister) -> int:
            print(register.undo_import(args.undo, actor))
            return 0

        return _with_register(settings, undo)
    content = read_file(args.file, settings.upload_max_bytes)

    def work(register: UnitRegister) -> int:
        report = register.import_sheet(args.file.name, content, partial=args.partial, actor=actor)
        print(report.render(undo_command="pufa units import --undo {batch}"))
        return 0 if report.applied else 1

    return _with_register(settings, work)


def run_retire(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        day = parse_date(args.date, date.max, "停用日期")
        return _done("cli.unit_retired", register.retire(args.unit, day, args.reason))

    return _with_register(settings, work)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        units = register.list(args.domain)
        if args.json:
            print(json.dumps([u.to_dict() for u in units], ensure_ascii=False, indent=2))
        else:
            active = [u for u in units if u.retired_on is None]
            print(text("cli.units_header", count=len(active)))
            for unit in active:
                print(unit_line(unit))
            retired = [u for u in units if u.retired_on is not None]
            if retired:
                print(text("cli.units_retired_header", count=len(retired)))
                for unit in retired:
                    print(unit_line(unit))
        return 0

    return _with_register(settings, work)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    unit_input = UnitInput(
        args.name, args.code, tuple(args.domain), args.licence or "", args.address or "", args.contact or ""
    )
    return _with_register(settings, lambda register: _done("cli.unit_added", register.add(unit_input)))


def run_update(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        unit = register.update(
            args.unit,
            name=args.name,
            credit_code=args.code,
            domains=tuple(args.domain) if args.domain else None,
            licence_no=args.licence,
            address=args.address,
            contact=args.contact,
        )
        return _done("cli.unit_updated", unit)

    return _with_register(settings, work)


def run_pending(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        requests = register.pending()
        print(text("cli.requests_header", count=len(requests)))
        for request in requests:
            print(
                text(
                    "cli.request_line",
                    id=request.id,
                    name=request.name,
                    code=request.credit_code,
                    person=request.person,
                )
            )
        return 0

    return _with_register(settings, work)


def run_confirm(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        unit = register.resolve(args.request, tuple(args.domain))
        assert unit is not None, "a confirmation returns the unit"
        return _done("cli.unit_added", unit)

    return _with_register(settings, work)


def run_reject(args: argparse.Namespace, settings: Settings) -> int:
    def work(register: UnitRegister) -> int:
        register.resolve(args.request, None)
        print(text("cli.request_rejected", id=args.request))
        return 0

    return _with_register(settings, work)


def _done(key: str, unit: Unit) -> int:
    print(text(key))
    print(unit_line(unit))
    return 0


def read_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file to import; RecordsError naming it when it cannot be read or is over ``max_bytes``
    (checked before reading it)."""
    try:
        with open(path, "rb") as handle:
            content = handle.read(max_bytes + 1)
    except OSError as error:
        raise RecordsError(text("cli.file_unreadable", path=path, reason=error.strerror or error)) from None
    if len(content) > max_bytes:
        size = path.stat().st_size // 1024
        raise RecordsError(text("sheet.too_large", name=path, size=size, limit=max_bytes // 1024))
    return content
