"""The `workbench` command: one subcommand per step of the round, in the notice's order.

Each command is a thin edge: parse options, call the package, print a short Chinese summary.
Errors the user can fix end with a clear message and exit code 2, never a traceback (`main`).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

import workbench as wb
from workbench import labels
from workbench.errors import WorkbenchError
from workbench.locations import DEFAULT_ROUND

if TYPE_CHECKING:  # pandas and the rest load inside the command that uses them: `workbench --help` stays fast
    import pandas as pd

# Plain click help: rich formatting would add ~0.15 s to every `workbench --help`.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="创新工作室评审工作台 (workbench)")

RoundOpt = Annotated[Path, typer.Option("--round", "-r", help="评审轮次配置 (TOML)")]
WorkdirOpt = Annotated[Optional[Path], typer.Option("--workdir", "-w", help="本轮工作目录（默认取配置中的 paths.workdir）")]


def _round(path: Path, workdir: Path | None) -> wb.Round:
    rnd = wb.load_round(path)
    return rnd.at(workdir) if workdir else rnd


def _table(df: pd.DataFrame) -> str:
    return df.to_string(index=False) if not df.empty else "（无）"


@app.command()
def sample(out: Annotated[Path, typer.Option(help="输出目录")] = Path("data/sample"),
           seed: int = 2022, unions: int = 35, forms: bool = True, photos: bool = True,
           round_path: RoundOpt = DEFAULT_ROUND) -> None:
    """生成虚构的示例轮次（各推荐单位报来的汇总表、推荐表、照片、登记表、评委名单）。"""
    rnd = _round(round_path, None)
    path = wb.make_sample(out, seed=seed, unions=unions, rnd=rnd, forms=forms, photos=photos)
    typer.echo(f"示例轮次已生成：{path}")


@app.command()
def templates(out: Annotated[Path, typer.Argument(help="输出目录")], round_path: RoundOpt = DEFAULT_ROUND) -> None:
    """生成发给各推荐单位的空白表格（附件1 汇总表，附件2/3/4 推荐表，附件5 推荐材料参考提纲）；
    公示、命名通知等公文的文字模板（可编辑）写入本轮配置的模板目录（已有的不覆盖）。"""
    from workbench.templates import write_document_templates

    rnd = _round(round_path, None)
    for path in wb.write_templates(out, rnd):
        typer.echo(f"已生成：{path}")
    if rnd.paths.templates is not None:
        for path in write_document_templates(rnd.paths.templates, rnd):
            typer.echo(f"已生成公文文字模板：{path}")


@app.command()
def intake(inbox: Annotated[Optional[Path], typer.Argument(help="收件目录（默认 <工作目录>/inbox）")] = None,
           round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="问题清单输出目录")] = None) -> None:
    """读取各推荐单位报来的汇总表，按单位汇总，并输出问题清单。"""
    rnd = _round(round_path, workdir)
    result = wb.read_inbox(inbox, rnd, progress=True) if inbox else wb.load_state(rnd, progress=True).intake
    noms = result.nominations
    summary = noms.groupby("recommender", dropna=False).agg(推荐数=("nomination_id", "size"))
    counts = result.problems.groupby("recommender")["severity"].value_counts().unstack(fill_value=0)
    summary = summary.join(counts.rename(columns=labels.SEVERITY), how="outer").fillna(0).astype(int)
    typer.echo(_table(summary.rename_axis("推荐单位").reset_index()))
    typer.echo(f"共读取 {len(noms)} 条推荐，发现问题 {len(result.problems)} 处。")
    from workbench.intake.report import write_problems_workbook

    target = write_problems_workbook(result.problems, (out or rnd.workdir / "out") / "问题清单.xlsx")
    typer.echo(f"问题清单（每个推荐单位一页）：{target}")


@app.command()
def screen(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="输出目录（默认 <工作目录>/out）")] = None) -> None:
    """资格审查与名额：逐条对照通知条件，输出各类别人数和资格审查情况表。"""
    rnd = _round(round_path, workdir)
    state = wb.load_state(rnd)
    screened, overrides = state.screened, state.overrides
    table = (screened.assign(类别=screened["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else "未知"),
                             资格=screened["eligibility"].map(labels.ELIGIBILITY),
                             名额=screened["quota_status"].map(labels.QUOTA_STATUS))
             .groupby(["类别", "资格", "名额"]).size().rename("人数").reset_index())
    typer.echo(_table(table))
    from workbench.export import save, screening_workbook

    path = save(screening_workbook(screened, rnd, overrides), (out or rnd.workdir / "out") / f"{labels.EXPORT_TITLES['screening']}.xlsx")
    typer.echo(f"资格审查情况表：{path}")


@app.command()
def override(nomination_id: str, verdict: Annotated[str, typer.Argument(help="eligibility | quota_status | rule_<代码>")],
             value: Annotated[str, typer.Argument(help="eligible/ineligible/review，in_quota/over_quota，pass/fail/review")],
             reason: Annotated[str, typer.Option("--reason", help="改判理由（必填）")],
             by: Annotated[str, typer.Option("--by", help="改判人")],
             round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """人工改判某项审查结论（须写明理由；记录改判人和时间）。"""
    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    store.save_nominations(wb.load_state(rnd, store).screened)
    store.record_override(nomination_id, verdict, value, reason, actor=by)
    typer.echo(labels.CLI["override_saved"].format(nomination_id=nomination_id))


@app.command()
def rank(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """按各阶段去掉最高分、最低分后的平均分排名，显示拟命名名单。"""
    rnd = _round(round_path, workdir)
    state = wb.load_state(rnd)
    for cat, cfg in rnd.categories.items():
        part = state.ranked[state.ranked["category"] == cat]
        typer.echo(f"\n{cfg.label}（拟命名 {cfg.slots} 家，参评 {len(part)} 家）")
        typer.echo(_table(part[["rank", "studio", "composite", "proposed", "flags"]].rename(columns=labels.COLUMNS)))
    typer.echo(f"\n快照 {state.snapshot_id}")


@app.command()
def export(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="输出目录（默认 <工作目录>/out）")] = None,
           allow_incomplete: Annotated[bool, typer.Option("--allow-incomplete", help="审定未完成时仍导出公开文件（须写 --reason；文件中注明名单不完整）")] = False,
           reason: Annotated[Optional[str], typer.Option("--reason", help="先行导出不完整名单的理由")] = None,
           add_named: Annotated[Optional[bool], typer.Option("--add-named/--no-add-named", help="导出命名通知后，把本轮命名的工作室登记到已命名工作室名录（不指定时询问一次）")] = None) -> None:
    """导出资格审查情况表、评审结果排名表、拟命名名单；会议审定完成后另有公示名单、命名名单、补贴经费表和公示、命名通知（Word）。"""
    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    state = wb.load_state(rnd, store)
    for path in wb.export_all(state, out or rnd.workdir / "out", allow_incomplete=allow_incomplete, reason=reason):
        typer.echo(f"已导出：{path}")
    decisions = state.decisions
    if not (decisions["decision"] == "approve").any():
        typer.echo(labels.CLI["no_approvals"])
        return
    public = wb.public_list(decisions, state.ranked, state.screened, rnd)
    path = rnd.paths.named_studios
    if add_named is None and sys.stdin.isatty():
        add_named = typer.confirm(labels.REGISTRY_TEXT["ask"].format(n=len(public), path=path), default=False)
    if add_named:
        _report_added(wb.add_named(rnd, public), path)
    else:
        typer.echo(labels.REGISTRY_TEXT["hint"])


def _report_added(added: pd.DataFrame, path: Path) -> None:
    key = "added" if len(added) else "none_added"
    typer.echo(labels.REGISTRY_TEXT[key].format(n=len(added), path=path))


@app.command("new-round")
def new_round(source: Annotated[Path, typer.Option("--from", help="本轮的配置文件，例如 data/rounds/2022.toml")],
              year: Annotated[int, typer.Option("--year", help="新一轮的年度，例如 2023")],
              out: Annotated[Optional[Path], typer.Option("--out", help="新配置文件（默认与原配置同目录的 <年度>.toml）")] = None,
              workdir: Annotated[Optional[Path], typer.Option("--workdir", help="新一轮的工作目录（默认与本轮工作目录同级的 <年度> 文件夹）")] = None,
              force: Annotated[bool, typer.Option("--force", help="覆盖已有的配置文件")] = False) -> None:
    """由本轮配置生成下一轮的配置：批次加一、日期顺延一年、其余不变，截止时间标为待确认。"""
    path = wb.write_next_round(source, year, out, workdir, force)
    typer.echo(labels.NEXT_ROUND["written"].format(year=year, path=path))


registry_app = typer.Typer(add_completion=False, no_args_is_help=True, help="已命名工作室名录：登记本轮命名的工作室。")
app.add_typer(registry_app, name="registry")


@registry_app.command("add-named")
def registry_add_named(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """把主席办公会审定通过（命名）的工作室登记到已命名工作室名录，命名时间取配置中的命名日期；重复运行不会重复登记。"""
    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        state = wb.load_state(rnd, store, diagnostics=False)
    if not (state.decisions["decision"] == "approve").any():
        typer.echo(labels.REGISTRY_TEXT["no_approvals"])
        return
    _report_added(wb.add_named(rnd, wb.public_list(state.decisions, state.ranked, state.screened, rnd)), rnd.paths.named_studios)


@app.command()
def decide(nomination_id: Annotated[str, typer.Argument(help="推荐对象编号")],
           decision: Annotated[str, typer.Argument(help="approve（通过）| reject（不通过）| defer（暂缓）")],
           by: Annotated[str, typer.Option("--by", help="记录人（会议秘书）")],
           note: Annotated[str, typer.Option("--note", help="备注")] = "",
           version: Annotated[Optional[int], typer.Option("--version", help="所改审定的版本号（改已有审定时必填，见上次输出）")] = None,
           replaces: Annotated[Optional[str], typer.Option("--replaces", help="递补：被替补者的编号（其审定须为不通过或暂缓）")] = None,
           round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """记录主席办公会的审定（通过 / 不通过 / 暂缓 / 递补），与会议屏幕同样的检查和版本。"""
    from workbench import decisions as dec
    from workbench.errors import StaleWriteError

    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    snap = wb.load_state(rnd, store)
    current = store.decisions()
    nid, decision, note = dec.check_decision(snap, nomination_id, decision, note)
    if replaces is not None:
        dec.check_replacement(snap, current, nid, replaces)
    try:
        saved = store.record_decision(nid, decision, note, snap.snapshot_id, by, dec.check_version(version),
                                      replaces=replaces)
    except StaleWriteError as exc:
        found = getattr(exc, "current", None)
        hint = labels.CLI["decide_stale_hint"].format(version=found["version"]) if found else ""
        raise StaleWriteError(f"{exc}{hint}", exc.code) from None
    row = snap.ranked.set_index("nomination_id").loc[nid]
    typer.echo(labels.CLI["decided"].format(studio=row["studio"], decision=labels.DECISION[decision], version=saved,
                                            snapshot=snap.snapshot_id[:12]))
    tally = dec.summary(snap.ranked, store.decisions(), rnd).set_index("category").loc[row["category"]]
    typer.echo(labels.CLI["decide_tally"].format(category=tally["label"], slots=tally["slots"],
                                                 approve=tally["approve"], reject=tally["reject"], defer=tally["defer"],
                                                 open=tally["open"]))
    for warning in dec.warnings_for(snap, store.decisions()):
        if warning.category in ("", row["category"]):
            typer.echo(labels.CLI["warning"] + warning.text, err=True)


@app.command()
def serve(name: Annotated[str, typer.Argument(help="meeting（主席办公会）| scoring（评委打分）| progress（评审进度）")] = "meeting",
          host: str = "127.0.0.1", port: int = 8866, token: Optional[str] = None,
          round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None,
          preheat: Annotated[bool, typer.Option(help="预热内核：打开页面更快")] = True,
          allow_host: Annotated[Optional[list[str]], typer.Option(
              help="评委浏览器中输入的主机名（可多次给出；本机地址总可用），亦可写入轮次配置 [serving] allowed_hosts")] = None) -> None:
    """用 Voila 提供仪表板（默认只监听 127.0.0.1；在局域网上提供时须有令牌，未给出则自动生成）。"""
    from workbench.serve import serve as run

    rnd = _round(round_path, workdir)
    sys.exit(run(name, host=host, port=port, token=token, round_path=round_path, workdir=rnd.workdir, preheat=preheat,
                 allowed_hosts=allow_host or []))


@app.command()
def demo(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None, seed: int = 2022,
         host: str = "127.0.0.1", port: int = 8866, no_serve: Annotated[bool, typer.Option("--no-serve")] = False) -> None:
    """生成示例轮次、模拟评委打分、存入数据库，然后打开主席办公会仪表板。"""
    rnd = _round(round_path, workdir)
    store = wb.build_demo(rnd, seed=seed)
    typer.echo(f"示例轮次：{rnd.workdir}（评分 {len(store.sheets())} 份）")
    if not no_serve:
        from workbench.serve import serve as run

        sys.exit(run("meeting", host=host, port=port, round_path=round_path, workdir=rnd.workdir))


@app.command()
def dossier(nomination: Annotated[str, typer.Argument(help="推荐编号（或完整的工作室名称）")],
            out: Annotated[Path, typer.Option("--out", "-o", help="输出文件：.pdf 或 .html")],
            round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """打印一个推荐对象的申报材料（基本情况、资格审查、推荐表、团队成员、创新成果、照片、电子材料），供纸质卷宗。"""
    from workbench.dossier import write_dossier

    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        path = write_dossier(rnd, nomination, out, store=store)
    typer.echo(labels.DOSSIER["written"].format(path=path))


# ---------------------------------------------------------------------------- reviewers (评委、访问码、分配、结束阶段)
reviewers_app = typer.Typer(add_completion=False, no_args_is_help=True,
                            help="评委：导入名单、发放访问码、分配评审对象、申报回避、结束评审阶段。")
app.add_typer(reviewers_app, name="reviewers")


def _stage_code(rnd: wb.Round, text: str) -> str:
    """A stage given by its code or its Chinese label."""
    by_label = {s.label: code for code, s in rnd.stages.items()}
    return by_label.get(text.strip(), text.strip())


def _read_plan(path: Path, rnd: wb.Round) -> pd.DataFrame:
    """A hand-made assignment CSV (UTF-8 or GBK; English or Chinese headers); stages by code or label."""
    import pandas as pd

    from workbench.errors import AssignmentError

    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError:
        raw = pd.read_csv(path, dtype=str, encoding="gb18030", keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise AssignmentError(f"{path}: {exc} [plan_unreadable]", "plan_unreadable") from None
    names = {h.strip().lower(): field for field, heads in labels.PLAN_HEADERS.items() for h in heads}
    plan = raw.rename(columns={c: names[c.strip().lower()] for c in raw.columns if c.strip().lower() in names})
    missing = [f for f in labels.PLAN_HEADERS if f not in plan.columns]
    if missing:
        raise AssignmentError(labels.REVIEWERS_CLI["plan_missing_columns"].format(path=path, missing="、".join(missing))
                              + " [plan_missing_columns]", "plan_missing_columns")
    plan = plan[list(labels.PLAN_HEADERS)].apply(lambda col: col.str.strip())
    plan = plan[(plan != "").any(axis=1)]
    return plan.assign(stage=plan["stage"].map(lambda s: _stage_code(rnd, s)))


@reviewers_app.command("import")
def reviewers_import(file: Annotated[Path, typer.Argument(help="评委名单 reviewers.csv / .xlsx（评委编号、姓名、工作单位）")],
                     round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """导入评委名单（再次导入会更新姓名、单位）。"""
    rnd = _round(round_path, workdir)
    reviewers = wb.read_reviewers(file)
    with wb.open_store(rnd) as store:
        store.add_reviewers(reviewers)
    typer.echo(labels.REVIEWERS_CLI["imported"].format(n=len(reviewers), path=file))


@reviewers_app.command("codes")
def reviewers_codes(reviewer: Annotated[Optional[list[str]], typer.Option("--reviewer", help="只给这些评委（重新）发放，原访问码作废；可重复")] = None,
                    out: Annotated[Optional[Path], typer.Option("--out", help="写入 CSV 文件而不在屏幕显示")] = None,
                    round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """发放个人访问码：默认给还没有有效访问码的评委；访问码只显示这一次。"""
    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        codes = store.issue_codes(reviewer or None)
    if codes.empty:
        typer.echo(labels.REVIEWERS_CLI["codes_none"])
        return
    shown = codes.rename(columns={"reviewer_id": labels.REVIEWER_FIELDS["reviewer_id"],
                                  "name": labels.REVIEWER_FIELDS["name"], "code": labels.SCORING["code"]})
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        shown.to_csv(out, index=False, encoding="utf-8-sig")
        typer.echo(labels.REVIEWERS_CLI["codes_written"].format(n=len(codes), path=out))
        return
    typer.echo(_table(shown))
    typer.echo(labels.REVIEWERS_CLI["codes_shown_once"])


@reviewers_app.command("revoke")
def reviewers_revoke(reviewer_id: Annotated[str, typer.Argument(help="评委编号")],
                     round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """停用某位评委的访问码（之后可用 codes --reviewer 重新发放）。"""
    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        store.revoke_code(reviewer_id)
    typer.echo(labels.REVIEWERS_CLI["revoked"].format(reviewer_id=reviewer_id))


@reviewers_app.command("assign")
def reviewers_assign(plan_file: Annotated[Optional[Path], typer.Option("--import", help="导入手工编制的分配方案 CSV（评审对象编号、评委编号、阶段）")] = None,
                     add: Annotated[bool, typer.Option("--add", help="只增加方案中的组合，不撤销其他分配")] = False,
                     reviewers_file: Annotated[Optional[Path], typer.Option("--reviewers", help="按此评委名单（含评审组）分配，而不是库中的名单")] = None,
                     round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """分配评审对象：按类别分组、回避、每人上限自动分配；或导入手工方案（同样检查回避和编号）。"""
    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        screened = wb.load_state(rnd, store).screened  # every override applied: an overridden 合格 gets reviewers
        store.save_nominations(screened)
        if plan_file is not None:
            plan = _read_plan(plan_file, rnd)
        else:
            reviewers = wb.read_reviewers(reviewers_file) if reviewers_file else _drawn_or_all(store)
            plan = wb.assign(screened, reviewers, rnd, declared=store.declared_conflicts())
        store.save_assignments(plan, replace=not add)
        saved = store.assignments()
    typer.echo(labels.REVIEWERS_CLI["assigned"].format(pairs=len(saved), candidates=saved["nomination_id"].nunique(),
                                                       reviewers=saved["reviewer_id"].nunique()))


@reviewers_app.command("conflict")
def reviewers_conflict(reviewer_id: Annotated[str, typer.Argument(help="评委编号")],
                       nomination_id: Annotated[str, typer.Argument(help="评审对象编号")],
                       reason: Annotated[str, typer.Option("--reason", help="回避理由")] = "",
                       round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """登记评委申报的回避：不再分配、不能查看、不能评分（尚未评分的分配随即撤销）。"""
    rnd = _round(round_path, workdir)
    from workbench.progress import under_assigned

    with wb.open_store(rnd) as store:
        store.declare_conflict(reviewer_id, nomination_id, reason)
        short = under_assigned(store.assignments(), rnd, [nomination_id])
        studios = store.nominations().set_index("nomination_id")["studio"]
    typer.echo(f"{reviewer_id} → {nomination_id}：{labels.CONFLICT_REASONS['declared']}")
    for row in short.itertuples(index=False):
        warnings.warn(labels.REVIEWERS_CLI["under_assigned"].format(
            studio=studios.get(nomination_id, nomination_id), nomination_id=nomination_id,
            stage=rnd.stages[row.stage].label, assigned=row.assigned, needed=row.needed), stacklevel=1)


@reviewers_app.command("close")
def reviewers_close(stage: Annotated[str, typer.Argument(help="评审阶段（material / site，或 材料评审 / 实地考察）")],
                    reopen: Annotated[bool, typer.Option("--reopen", help="重新开放该阶段")] = False,
                    round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """结束一个评审阶段：此后评委不能再修改该阶段的评分（--reopen 重新开放）。"""
    rnd = _round(round_path, workdir)
    code = _stage_code(rnd, stage)
    with wb.open_store(rnd) as store:
        (store.reopen_stage if reopen else store.close_stage)(code)
    typer.echo(labels.REVIEWERS_CLI["reopened" if reopen else "closed"].format(stage=rnd.stages[code].label))


# ---------------------------------------------------------------------------- the expert panel (专家抽取、承诺、纸质评分表)
def _drawn_or_all(store: wb.Store) -> pd.DataFrame:
    """The reviewers to assign: the drawn panel members (each on their category) once a panel is drawn."""
    from workbench.panel import panel_reviewers

    panel = store.panel()
    return panel_reviewers(panel, store.reviewers()) if len(panel) else store.reviewers()


def _pool(rnd: wb.Round, path: Path | None) -> pd.DataFrame:
    return wb.read_reviewers(path or rnd.workdir / "reviewers.csv")


@reviewers_app.command("draw")
def reviewers_draw(by: Annotated[Optional[str], typer.Option("--by", help="抽取人（记入抽取记录）")] = None,
                   seed: Annotated[Optional[int], typer.Option("--seed", help="随机种子（默认随机生成并记录）")] = None,
                   category: Annotated[Optional[list[str]], typer.Option("--category", help="只抽取这些类别（可重复；默认全部）")] = None,
                   pool_file: Annotated[Optional[Path], typer.Option("--pool", help="专家库（默认 <工作目录>/reviewers.csv）")] = None,
                   verify: Annotated[bool, typer.Option("--verify", help="核验全部抽取记录：摘要链完整，按记录的种子重新抽取结果相同")] = False,
                   round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """从专家库按类别随机抽取评审专家（按专业领域分层，回避对象过多者不参加抽取，另抽候补），记录种子和结果。"""
    from workbench.errors import PanelError
    from workbench.panel import draw_round, new_seed, panel_table, verify_draws

    rnd = _round(round_path, workdir)
    text = labels.PANEL_CLI
    with wb.open_store(rnd) as store:
        if verify:
            report = verify_draws(store.draws())
            if report.empty:
                typer.echo(labels.PANEL_MESSAGES["no_draws"])
                return
            bad = report[report["problem"] != ""]
            marks = {True: labels.RULE_RESULT["pass"], False: labels.RULE_RESULT["fail"]}
            shown = report.assign(category=report["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else c),
                                  chain_ok=report["chain_ok"].map(marks), rerun_ok=report["rerun_ok"].map(marks))
            typer.echo(_table(shown.rename(columns=labels.DRAW_VERIFY_COLUMNS)))
            if len(bad):
                raise PanelError(text["verify_failed"].format(n=len(bad)), "draw_log_invalid")
            typer.echo(text["verified"].format(n=len(report)))
            return
        if not by:
            raise WorkbenchError(labels.STORE_MESSAGES["actor_required"] + " (--by) [actor_required]", "actor_required")
        pool = _pool(rnd, pool_file)
        screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
        store.save_nominations(screened)
        seed = new_seed() if seed is None else seed
        codes = [_category_code(rnd, c) for c in category] if category else None
        bodies = draw_round(pool, screened, rnd, seed, categories=codes, current=store.panel(),
                            declared=store.declared_conflicts())
        drawn = {r for b in bodies for r in (*b["result"]["members"], *b["result"]["reserves"])}
        store.add_reviewers(pool[pool["reviewer_id"].isin(drawn)], actor=by)
        typer.echo(text["seed"].format(seed=seed))
        for body in bodies:
            done = store.record_draw(body["inputs"]["category"], seed, body, actor=by)
            result = body["result"]
            typer.echo(text["drawn"].format(category=rnd.categories[body["inputs"]["category"]].short,
                                            members=len(result["members"]), reserves=len(result["reserves"]),
                                            excluded=len(result["excluded"]), id=done["id"]))
        typer.echo(_table(panel_table(store.panel(), pool, rnd)))
        typer.echo(text["hash"].format(hash=done["hash"]))


@reviewers_app.command("replace")
def reviewers_replace(reviewer_id: Annotated[str, typer.Argument(help="被替换的评审专家编号")],
                      reason: Annotated[str, typer.Option("--reason", help="原因（如：因故不能参加、申报回避）")],
                      by: Annotated[str, typer.Option("--by", help="操作人")],
                      category: Annotated[Optional[str], typer.Option("--category", help="评审组（专家在多个组时）")] = None,
                      pool_file: Annotated[Optional[Path], typer.Option("--pool", help="专家库（默认 <工作目录>/reviewers.csv）")] = None,
                      round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """由候补名单中的下一位专家递补一名不能参加的评审专家（记入抽取记录）。"""
    from workbench.panel import hand_over, replacement

    rnd = _round(round_path, workdir)
    text = labels.PANEL_CLI
    with wb.open_store(rnd) as store:
        body = replacement(store.draws(), reviewer_id, reason, _category_code(rnd, category) if category else None)
        known = set(store.reviewers()["reviewer_id"])
        if body["in"] not in known:
            pool = _pool(rnd, pool_file)
            store.add_reviewers(pool[pool["reviewer_id"] == body["in"]], actor=by)
        done = store.record_draw(body["category"], "-", body, actor=by)
        typer.echo(text["replaced"].format(category=rnd.categories[body["category"]].short, out=reviewer_id,
                                           new=body["in"], reason=body["reason"], id=done["id"]))
        before = store.assignments()
        if not (before["reviewer_id"] == reviewer_id).any():
            typer.echo(text["replaced_assign"])
            return
        plan, uncovered = hand_over(before, store.sheets(), store.conflicts(), reviewer_id, body["in"])
        store.save_assignments(plan, replace=True, actor=by)
        moved = int((plan["reviewer_id"] == body["in"]).sum() - (before["reviewer_id"] == body["in"]).sum())
        typer.echo(text["handed_over"].format(out=reviewer_id, new=body["in"], n=moved))
        try:
            store.revoke_code(reviewer_id, actor=by)
            typer.echo(text["code_revoked"].format(out=reviewer_id))
        except WorkbenchError as exc:
            if exc.code != "no_active_code":  # no code issued yet: nothing to stop
                raise
    for row in uncovered.itertuples(index=False):
        warnings.warn(text["not_handed_over"].format(new=body["in"], nomination_id=row.nomination_id, stage=row.stage))


def _category_code(rnd: wb.Round, text: str) -> str:
    """A category by its code, label or short name."""
    for code, cat in rnd.categories.items():
        if text.strip() in (code, cat.label, cat.short):
            return code
    return text.strip()


@reviewers_app.command("pledge")
def reviewers_pledge(reviewer_id: Annotated[Optional[str], typer.Argument(help="评委编号（不填：列出签署情况）")] = None,
                     paper: Annotated[bool, typer.Option("--paper", help="登记评委已签署的纸质保密承诺书")] = False,
                     by: Annotated[Optional[str], typer.Option("--by", help="登记人")] = None,
                     signed_on: Annotated[Optional[str], typer.Option("--signed-on", help="承诺书上的签署日期（YYYY-MM-DD）")] = None,
                     round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """登记纸质保密承诺书（评委也可在评分系统中确认）；不带参数时列出各评委的签署情况。未签署者不能评分。"""
    import datetime as dt

    rnd = _round(round_path, workdir)
    text = labels.PANEL_CLI
    with wb.open_store(rnd) as store:
        if reviewer_id is None:
            table = store.pledges()
            shown = table.assign(pledged=table["pledged"].map(labels.PLEDGE_STATUS),
                                 method=table["method"].map(labels.PLEDGE_METHODS).fillna(""),
                                 pledged_at=table["pledged_at"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
                                 signed_on=table["signed_on"].dt.strftime("%Y-%m-%d").fillna(""))
            typer.echo(_table(shown.drop(columns=["note"]).rename(columns=labels.PLEDGE_COLUMNS)))
            typer.echo(text["pledge_summary"].format(done=int(table["pledged"].sum()), missing=int((~table["pledged"]).sum())))
            return
        if not paper:
            raise WorkbenchError(labels.PANEL_CLI["pledge_paper_only"] + " [pledge_paper_only]", "pledge_paper_only")
        try:
            signed = dt.date.fromisoformat(signed_on) if signed_on else None
        except ValueError:
            raise WorkbenchError(labels.VISIT_MESSAGES["bad_date"].format(value=signed_on) + " [bad_date]", "bad_date") from None
        new = store.record_pledge(reviewer_id, method="paper", actor=by, signed_on=signed)
    typer.echo((text["pledged"] if new else text["pledged_already"]).format(
        reviewer_id=reviewer_id, method=labels.PLEDGE_METHODS["paper"], by=by))


@reviewers_app.command("sheets")
def reviewers_sheets(stage: Annotated[str, typer.Option("--stage", help="评审阶段（默认第一个阶段）")] = "",
                     reviewer: Annotated[Optional[list[str]], typer.Option("--reviewer", help="只为这些评委生成（可重复）")] = None,
                     out: Annotated[Optional[Path], typer.Option("--out", help="输出目录（默认 <工作目录>/out/评分表）")] = None,
                     pdf: Annotated[bool, typer.Option(help="同时用 LibreOffice 生成 PDF（如已安装）")] = True,
                     round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """为每位评委生成纸质评分表（xlsx，A4；有 LibreOffice 时另生成 PDF）：其评审对象、评分项满分、评分细则、签名栏。"""
    from workbench.paper import to_pdf, write_sheets

    rnd = _round(round_path, workdir)
    code = _stage_code(rnd, stage) if stage else next(iter(rnd.stages))
    folder = out or rnd.workdir / "out" / labels.PANEL_CLI["sheets_folder"]
    with wb.open_store(rnd) as store:
        paths = write_sheets(store, rnd, folder, code, reviewer or None)
    typer.echo(labels.PANEL_CLI["sheets_written"].format(n=len(paths), path=folder))
    if pdf and paths:
        made = to_pdf(paths, folder)
        typer.echo(labels.PANEL_CLI["sheets_pdf"].format(n=len(made)) if made else labels.PANEL_CLI["sheets_no_pdf"])


@reviewers_app.command("plan")
def reviewers_plan(out: Annotated[Optional[Path], typer.Option("--out", help="输出目录（默认 <工作目录>/out）")] = None,
                   round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """导出评审分配方案表（给评审秘书）：按评委、按评审对象各一页。"""
    from workbench.export import save
    from workbench.panel import plan_workbook

    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        book = plan_workbook(store.assignments(), store.nominations(), store.reviewers(), rnd)
    path = save(book, (out or rnd.workdir / "out") / f"{labels.PLAN_WORKBOOK['title']}.xlsx")
    typer.echo(labels.PANEL_CLI["plan_written"].format(path=path))


# ---------------------------------------------------------------------------- scores (纸质评分表录入)
scores_app = typer.Typer(add_completion=False, no_args_is_help=True, help="评分：录入纸质评分表（两遍录入核对）。")
app.add_typer(scores_app, name="scores")


@scores_app.command("import")
def scores_import(file: Annotated[Path, typer.Argument(help="录入后的纸质评分表（workbench reviewers sheets 生成的 xlsx）")],
                  entry: Annotated[int, typer.Option("--entry", min=1, max=2, help="第几遍录入（1 或 2）；两遍一致才入库")],
                  by: Annotated[str, typer.Option("--by", help="录入人")],
                  round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """录入纸质评分表：两遍录入一致的评分表才入库（与网上评分同样校验）；不一致处、漏填和超出满分处逐格列出。"""
    from workbench.paper import import_entry

    rnd = _round(round_path, workdir)
    text = labels.PANEL_CLI
    with wb.open_store(rnd) as store:
        result = import_entry(store, file, entry, actor=by)
    if len(result.problems):
        typer.echo(text["import_problems"].format(entry=entry, n=len(result.problems)))
        typer.echo(_table(result.problems[["cell", "nomination_id", "message"]].rename(columns=labels.PAPER_PROBLEM_COLUMNS)))
    if len(result.differences):
        typer.echo(text["import_differences"].format(n=len(result.differences)))
        typer.echo(_table(result.differences.rename(columns=labels.PAPER_DIFF_COLUMNS)))
    typer.echo(text["import_saved"].format(entry=entry, n=result.staged))
    if result.pending:
        typer.echo(text["import_pending"].format(n=result.pending))
    typer.echo(text["import_stored"].format(n=result.stored))
    if len(result.problems) or len(result.differences):
        sys.exit(1)


# ---------------------------------------------------------------------------- site visits (实地考察)
visits_app = typer.Typer(add_completion=False, no_args_is_help=True, help="实地考察：登记考察记录（核查项、照片），查看记录。")
app.add_typer(visits_app, name="visits")


@visits_app.command("record")
def visits_record(nomination_id: Annotated[str, typer.Argument(help="评审对象编号")],
                  date: Annotated[str, typer.Option("--date", help="考察日期（YYYY-MM-DD）")],
                  inspector: Annotated[list[str], typer.Option("--inspector", help="考察人（可重复）")],
                  by: Annotated[str, typer.Option("--by", help="登记人")],
                  ok: Annotated[Optional[list[str]], typer.Option("--ok", help="已核实的核查项：代码或名称，可加“:说明”（可重复）")] = None,
                  failed: Annotated[Optional[list[str]], typer.Option("--not", help="未核实的核查项：代码或名称:说明（可重复）")] = None,
                  photo: Annotated[Optional[list[Path]], typer.Option("--photo", help="现场照片文件（可重复）")] = None,
                  note: Annotated[str, typer.Option("--note", help="备注")] = "",
                  round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """登记（或更正）一次实地考察：日期、考察人、逐项核查结果和说明、照片。未核实的条件将成为资格审查结论。"""
    import datetime as dt

    from workbench.visits import parse_checks

    rnd = _round(round_path, workdir)
    try:
        day = dt.date.fromisoformat(date.strip())
    except ValueError:
        raise WorkbenchError(labels.VISIT_MESSAGES["bad_date"].format(value=date) + " [bad_date]", "bad_date") from None
    missing = [str(p) for p in photo or [] if not p.is_file()]
    if missing:
        raise WorkbenchError(labels.VISIT_MESSAGES["photo_missing"].format(value="、".join(missing)) + " [photo_missing]",
                                "photo_missing")
    checks = parse_checks(ok or [], failed or [], rnd)
    with wb.open_store(rnd) as store:
        if store.nominations().empty:
            store.save_nominations(wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd))
        store.record_visit(nomination_id, day, inspector, checks, actor=by,
                           photos=[str(p.resolve()) for p in photo or []], note=note)
    values = [v for v, _ in checks.values()]
    typer.echo(labels.PANEL_CLI["visit_saved"].format(
        nomination_id=nomination_id, date=day.isoformat(), inspectors="、".join(inspector), ok=values.count(True),
        no=values.count(False), unchecked=len(rnd.panel.site_conditions) - len(values)))


@visits_app.command("list")
def visits_list(round_path: RoundOpt = DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """列出全部实地考察记录（✓ 核实，✗ 未核实，空白 未查）。"""
    from workbench.visits import visits_table

    rnd = _round(round_path, workdir)
    with wb.open_store(rnd) as store:
        table = visits_table(store.site_visits(), store.nominations(), rnd)
    typer.echo(_table(table) if len(table) else labels.PANEL_CLI["no_visits"])


def main() -> None:
    """The console script: any error the user can act on is one clear line and exit code 2."""
    warnings.showwarning = lambda message, *_args, **_kw: typer.echo(f"{labels.CLI['warning']}{message}", err=True)
    try:
        app()
    except WorkbenchError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(2)
    except Exception as exc:  # the other user errors live in heavier modules: import them only now
        from workbench.config import RoundConfigError
        from workbench.export import ExportError
        from workbench.notice import CalendarError
        from workbench.serve import ServeError

        if not isinstance(exc, (RoundConfigError, ExportError, CalendarError, ServeError)):
            raise
        typer.echo(str(exc), err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
