"""The `workbench` command: one subcommand per step of the round, in the notice's order.

Each command is a thin edge: parse options, call the package, print a short Chinese summary.
Errors the user can fix end with a clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer

import workbench as wb
from workbench import labels
from workbench.export import save, screening_workbook
from workbench.intake.report import write_problems_workbook

app = typer.Typer(add_completion=False, no_args_is_help=True, help="创新工作室评审工作台 (workbench)")

RoundOpt = Annotated[Path, typer.Option("--round", "-r", help="评审轮次配置 (TOML)")]
WorkdirOpt = Annotated[Optional[Path], typer.Option("--workdir", "-w", help="本轮工作目录（默认取配置中的 paths.workdir）")]


def _round(path: Path, workdir: Path | None) -> wb.Round:
    try:
        rnd = wb.load_round(path)
    except wb.RoundConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    return rnd.at(workdir) if workdir else rnd


def _table(df: pd.DataFrame) -> str:
    return df.to_string(index=False) if not df.empty else "（无）"


@app.command()
def sample(out: Annotated[Path, typer.Option(help="输出目录")] = Path("data/sample"),
           seed: int = 2022, unions: int = 35, forms: bool = True, photos: bool = True,
           round_path: RoundOpt = wb.DEFAULT_ROUND) -> None:
    """生成虚构的示例轮次（各推荐单位报来的汇总表、推荐表、照片、登记表、评委名单）。"""
    rnd = _round(round_path, None)
    path = wb.make_sample(out, seed=seed, unions=unions, rnd=rnd, forms=forms, photos=photos)
    typer.echo(f"示例轮次已生成：{path}")


@app.command()
def templates(out: Annotated[Path, typer.Argument(help="输出目录")], round_path: RoundOpt = wb.DEFAULT_ROUND) -> None:
    """生成发给各推荐单位的空白表格（附件1 汇总表，附件2/3/4 推荐表）。"""
    for path in wb.write_templates(out, _round(round_path, None)):
        typer.echo(f"已生成：{path}")


@app.command()
def intake(inbox: Annotated[Optional[Path], typer.Argument(help="收件目录（默认 <工作目录>/inbox）")] = None,
           round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="问题清单输出目录")] = None) -> None:
    """读取各推荐单位报来的汇总表，按单位汇总，并输出问题清单。"""
    rnd = _round(round_path, workdir)
    folder = inbox or rnd.inbox
    result = wb.read_inbox(folder, rnd, progress=True)
    noms = result.nominations
    summary = noms.groupby("recommender", dropna=False).agg(推荐数=("nomination_id", "size"))
    counts = result.problems.groupby("recommender")["severity"].value_counts().unstack(fill_value=0)
    summary = summary.join(counts.rename(columns=labels.SEVERITY), how="outer").fillna(0).astype(int)
    typer.echo(_table(summary.rename_axis("推荐单位").reset_index()))
    typer.echo(f"共读取 {len(noms)} 条推荐，发现问题 {len(result.problems)} 处。")
    target = write_problems_workbook(result.problems, (out or rnd.workdir / "out") / "问题清单.xlsx")
    typer.echo(f"问题清单（每个推荐单位一页）：{target}")


@app.command()
def screen(round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="输出目录（默认 <工作目录>/out）")] = None) -> None:
    """资格审查与名额：逐条对照通知条件，输出各类别人数和资格审查情况表。"""
    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    overrides = store.overrides()
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd, overrides=overrides)
    table = (screened.assign(类别=screened["category"].map(lambda c: rnd.categories[c].short if c in rnd.categories else "未知"),
                             资格=screened["eligibility"].map(labels.ELIGIBILITY),
                             名额=screened["quota_status"].map(labels.QUOTA_STATUS))
             .groupby(["类别", "资格", "名额"]).size().rename("人数").reset_index())
    typer.echo(_table(table))
    path = save(screening_workbook(screened, rnd, overrides), (out or rnd.workdir / "out") / f"{labels.EXPORT_TITLES['screening']}.xlsx")
    typer.echo(f"资格审查情况表：{path}")


@app.command()
def override(nomination_id: str, verdict: Annotated[str, typer.Argument(help="eligibility | quota_status | rule_<代码>")],
             value: Annotated[str, typer.Argument(help="eligible/ineligible/review，in_quota/over_quota，pass/fail/review")],
             reason: Annotated[str, typer.Option("--reason", help="改判理由（必填）")],
             by: Annotated[str, typer.Option("--by", help="改判人")],
             round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """人工改判某项审查结论（须写明理由；记录改判人和时间）。"""
    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    store.save_nominations(screened)
    try:
        store.record_override(nomination_id, verdict, value, reason, actor=by)
    except wb.WorkbenchError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(labels.CLI["override_saved"].format(nomination_id=nomination_id))


@app.command()
def rank(round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None) -> None:
    """按各阶段去掉最高分、最低分后的平均分排名，显示拟命名名单。"""
    rnd = _round(round_path, workdir)
    snap = wb.take_snapshot(rnd)
    for cat, cfg in rnd.categories.items():
        part = snap.ranked[snap.ranked["category"] == cat]
        typer.echo(f"\n{cfg.label}（拟命名 {cfg.slots} 家，参评 {len(part)} 家）")
        typer.echo(_table(part[["rank", "studio", "composite", "proposed", "flags"]].rename(columns=labels.COLUMNS)))
    typer.echo(f"\n快照 {snap.snapshot_id}")


@app.command()
def export(round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None,
           out: Annotated[Optional[Path], typer.Option(help="输出目录（默认 <工作目录>/out）")] = None) -> None:
    """导出资格审查情况表、评审结果排名表、拟命名名单；会议通过后另有公示名单、命名名单、补贴经费表。"""
    rnd = _round(round_path, workdir)
    store = wb.open_store(rnd)
    snap = wb.take_snapshot(rnd, store)
    try:
        paths = wb.export_all(snap, out or rnd.workdir / "out", store=store,
                              diagnostics=wb.diagnose(snap.scores, snap.ranked, rnd))
    except (wb.ExportError, wb.CalendarError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for path in paths:
        typer.echo(f"已导出：{path}")
    if not (store.decisions()["decision"] == "approve").any():
        typer.echo(labels.CLI["no_approvals"])


@app.command()
def serve(name: Annotated[str, typer.Argument(help="meeting（主席办公会）")] = "meeting",
          host: str = "127.0.0.1", port: int = 8866, token: Optional[str] = None,
          round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None,
          preheat: Annotated[bool, typer.Option(help="预热内核：打开页面更快")] = True) -> None:
    """用 Voila 提供仪表板（默认只监听 127.0.0.1）。"""
    from workbench.serve import ServeError, serve as run

    rnd = _round(round_path, workdir)
    try:
        sys.exit(run(name, host=host, port=port, token=token, round_path=round_path, workdir=rnd.workdir, preheat=preheat))
    except ServeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@app.command()
def demo(round_path: RoundOpt = wb.DEFAULT_ROUND, workdir: WorkdirOpt = None, seed: int = 2022,
         host: str = "127.0.0.1", port: int = 8866, no_serve: Annotated[bool, typer.Option("--no-serve")] = False) -> None:
    """生成示例轮次、模拟评委打分、存入数据库，然后打开主席办公会仪表板。"""
    rnd = _round(round_path, workdir)
    store = wb.build_demo(rnd, seed=seed)
    typer.echo(f"示例轮次：{rnd.workdir}（评分 {len(store.sheets())} 份）")
    if not no_serve:
        from workbench.serve import serve as run

        sys.exit(run("meeting", host=host, port=port, round_path=round_path, workdir=rnd.workdir))


if __name__ == "__main__":
    app()
