"""Every Chinese word a user sees, in one place.

Policy labels (category names, rubric criteria, stage names, quota groups) live in the round
config instead, because they change from round to round. What is here is the workbench's own
vocabulary: field headers, verdicts, statuses, messages.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------- fields (SPEC §4.1)
# field -> canonical header of 附件1 推荐汇总表, in the template's column order.
SUMMARY_FIELDS: dict[str, str] = {
    "recommender": "推荐单位",
    "category": "推荐类别",
    "recommender_rank": "推荐排序",
    "studio": "工作室名称",
    "host_unit": "所在单位",
    "legal_person": "所在单位是否具有法人资格",
    "union_sound": "单位工会组织是否健全",
    "rnd_or_team": "是否为原有建制研发机构或班组",
    "party_building": "党建引领（党支部/党小组/党员先锋岗）",
    "leader": "领衔人",
    "leader_honours": "领衔人荣誉称号",
    "team_size": "团队人数",
    "frontline": "一线职工人数",
    "established": "成立时间",
    "named_on": "命名为市劳模创新工作室时间",
    "direct": "是否特别优秀直接推荐",
    "site_area": "场所面积（平方米）",
    "funding": "年度经费（万元）",
    "systems": "制度是否健全",
    "ledger": "台账是否详实",
    "results_last_year": "近一年认定创新成果（项）",
    "benefit": "经济效益（万元）",
    "video": "有无宣传视频",
    "contact": "联系人",
    "phone": "联系电话",
    "note": "备注",
}

# Other ways people head these columns: data in the round config ([intake.header_aliases]).

SUMMARY_TITLE = "劳模、职工创新工作室推荐汇总表"
SUMMARY_SHEET = "推荐汇总表"
FILL_LINE = "推荐单位（盖章）：{recommender}        填表人：{contact}        联系电话：{phone}        填报日期：{date}"

# 附件2/3/4 推荐表 (one workbook per studio)
FORM_SHEET = "推荐表"
FORM_TITLE = "{label}推荐表"
MEMBER_SHEET = "团队成员"
MEMBER_FIELDS: dict[str, str] = {
    "seq": "序号",
    "name": "姓名",
    "gender": "性别",
    "born": "出生年月",
    "education": "学历",
    "title": "职称/技能等级",
    "post": "岗位",
    "frontline": "是否一线职工",
}
ACHIEVEMENT_SHEET = "创新成果"
ACHIEVEMENT_FIELDS: dict[str, str] = {
    "seq": "序号",
    "name": "成果名称",
    "kind": "类型",
    "level": "认定级别",
    "recognised_on": "认定时间",
    "recognised_by": "认定单位",
    "benefit": "经济效益（万元）",
}
FORM_NARRATIVES: dict[str, str] = {
    "deeds": "主要事迹",
    "results": "主要创新成果",
    "unit_opinion": "单位意见",
    "union_opinion": "推荐单位工会意见",
}
# The nominations column that keeps each narrative of the form.
NARRATIVE_COLUMNS: dict[str, str] = {"deeds": "main_deeds", "results": "main_results",
                                     "unit_opinion": "unit_opinion", "union_opinion": "union_opinion"}
RECEIPTS_FILE = "收件登记.csv"
PHOTO_ROLES: dict[str, str] = {"leader": "领衔人标准照", "team": "团队合影", "scene": "内部场景"}

# ---------------------------------------------------------------------------- values
YES_WORDS = {"是", "有", "√", "✓", "✔", "☑", "✅", "y", "yes", "true", "1", "健全", "具备", "具有", "完善", "详实",
             "齐全", "已建立"}
NO_WORDS = {"否", "无", "没有", "不是", "×", "✗", "✘", "n", "no", "false", "0", "不健全", "不具备", "不具有", "不完善",
            "不详实", "不齐全", "未建立"}
NO_PREFIXES = ("无", "没有", "未", "尚未", "暂无", "不")  # 无党支部, 未成立党小组: a column's own yes word, denied
NONE_WORDS = {"无", "暂无", "没有", "/", "-", "—", "——"}  # a list cell that says there is nothing to list
HEADER_NOTES = ("必填", "选填", "全称", "盖章", "签章", "签字", "单选", "多选", "可多选")  # 工作室名称（必填）: not the field's words
SHARE_WORDS = ("占比", "比例", "比重", "百分比", "%")  # 一线职工占比: a share, never read as the count it is like
FOLDER_WORDS = ("报送材料", "推荐材料", "申报材料", "材料", "报送", "推荐", "申报")  # 梁溪区总工会报送材料: the folder's, not the union's
# 欧阳 娜娜 is one person: a name whose surname has two characters, written with a space after it
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "夏侯", "令狐", "长孙", "宇文",
                     "司徒", "端木", "独孤", "南宫", "西门", "呼延", "申屠", "百里", "东郭", "闻人", "澹台")
SAME_AS_ABOVE = {"同上", "同前", "同上行", "〃", "″", '"', "“", "”"}  # a cell that repeats the one above it
# Lines below a summary table that close it and name no studio: not read as nominations, and not problems.
TABLE_END_WORDS = ("以下空白", "以下无内容", "以下无", "此页空白", "此栏空白", "空白", "完")  # the rest of the form left empty
TOTAL_WORDS = ("合计", "小计", "总计", "共计")  # a totals row (合计：3个)
SIGN_OFF_WORDS = ("填表人", "填报人", "制表人", "经办人", "联系人", "联系电话", "电话", "手机", "审核人", "审核",
                  "负责人", "单位负责人", "填报日期", "日期")  # 填表人：王芳  联系电话：…  审核人：…

# ---------------------------------------------------------------------------- verdicts (SPEC §5)
RULE_RESULT = {"pass": "✓", "fail": "✗", "review": "?"}
RULE_RESULT_WORD = {"pass": "符合", "fail": "不符合", "review": "待核实"}
ELIGIBILITY = {"eligible": "合格", "ineligible": "不合格", "review": "待核实"}
QUOTA_STATUS = {"in_quota": "名额内", "over_quota": "超出推荐名额"}
DECISION = {"approve": "通过", "reject": "不通过", "defer": "暂缓"}
SCORE_STATUS = {"none": "未评", "draft": "草稿", "submitted": "已提交"}
SEVERITY = {"error": "错误", "warning": "提醒"}

# ---------------------------------------------------------------------------- column headers of outputs
COLUMNS: dict[str, str] = {
    "nomination_id": "编号",
    "category": "类别",
    "category_label": "类别",
    "recommender": "推荐单位",
    "recommender_rank": "推荐排序",
    "studio": "工作室名称",
    "host_unit": "所在单位",
    "leader": "领衔人",
    "eligibility": "资格审查",
    "eligibility_label": "资格审查",
    "eligibility_reasons": "审查意见",
    "quota_status": "名额",
    "quota_label": "名额",
    "quota_reason": "名额说明",
    "n_reviewers": "评委人数",
    "composite": "综合得分",
    "untrimmed_mean": "算术平均分",
    "rank": "排名",
    "proposed": "拟命名",
    "flags": "提示",
    "received_at": "收件时间",
    "tied": "并列",
    "source_file": "来源文件",
    "source_row": "行号",
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "field": "字段",
    "value": "原值",
    "severity": "级别",
    "code": "代码",
    "message": "说明",
}

# Ranking flags (code -> Chinese)
RANK_FLAGS: dict[str, str] = {
    "few_scores": "评分人数不足{trim_min}人，按算术平均",
    "too_few_scores": "评分人数少于3人，分数仅供参考",
    "no_scores": "尚无评分",
    "tie": "并列",
    "tie_at_cut": "并列且跨越拟命名线",
}

# ---------------------------------------------------------------------------- exports
EXPORT_TITLES = {
    "screening": "资格审查情况表",
    "ranking": "评审结果排名表",
    "proposed": "拟命名名单",
}
SAMPLE_MARK = "（示例数据，非正式）"

# ---------------------------------------------------------------------------- meeting (workbench/meeting.py)
MEETING: dict[str, str] = {
    "refresh": "刷新",
    "refreshing": "读取中…",
    "checking": "正在核对最新数据……",  # a preheated screen, until the store is checked for changes
    "refresh_tip": "重新读取评分库，显示最新数据",
    "snapshot": "数据快照",
    "data_time": "数据时间",
    "decisions_count": "已审定 {n} 个",
    "reviewer_alias": "评委{n}",
    "funnel_category": "类别",
    "stage_reviewers": "{n}人",
    "proposed_mark": "拟命名",
    "cut_line": "拟命名线（{slots}名）",
    "table_more": "以下还有 {n} 个未列出（点击下方“显示全部”）",
    "show_all": "显示全部（{n}）",
    "competition": "参评 {candidates} 个 · 名额 {slots} 个 · 差额 {extra} 个（差额比例 {margin}）",
    "competition_na": "参评 {candidates} 个 · 名额 {slots} 个",
    "competition_none": "参评 {candidates} 个 · 名额 {slots} 个 · 无差额",
    # decisions against places (every view) and the warnings
    "tally_slots": "名额",
    "tally_proposed": "拟命名",
    "tally_replacements": "其中递补",
    "tally_undecided": "拟命名待审定",
    "tally_open": "尚缺名额",
    "warnings_title": "请会议注意：",
    "no_value": "—",
    "chart_x": "排名",
    "chart_y": "综合得分",
    "chart_proposed": "拟命名",
    "chart_other": "未进入拟命名",
    "chart_borderline": "边缘（进出不稳）",
    "chart_cut": "拟命名线",
    "chart_title": "综合得分与{level}名次区间（横线：按评委重抽样后名次可能落在的范围；点击圆点查看详情）",
    "chart_hover_interval": "{level}名次区间 {low}–{high}",
    "chart_hover_p": "进入前{slots}名的概率 {p}",
    "empty_round": "本轮尚无推荐数据。请先收件、资格审查并录入评分后，再点击“刷新”。",
    "empty_category": "该类别暂无进入评审的工作室。",
    "no_scores": "该类别尚无评分，暂不能排名。",
    "load_failed": "数据读取失败，请联系工作人员检查评分库后点击“刷新”。",
    # views
    "view_ranking": "排名",
    "view_breakdown": "评分构成",
    "view_discussion": "讨论与审定",
    "view_excluded": "未进入排名",
    "view_whatif": "模拟预览",
    # ranked table
    "col_studio": "工作室（领衔人）",
    "col_unit": "所在单位（推荐单位）",
    "col_interval": "名次区间",
    "col_p_top": "入选概率",
    "col_decision": "审定",
    "col_mark": "拟命名",
    "leader_line": "领衔人 {leader}",
    "recommender_line": "推荐：{recommender}",
    "legend": "■ 拟命名　■ 边缘：进出拟命名线不稳定（见“提示”）　点击任一行查看详情并审定",
    "no_diagnostics": "（名次区间暂缺：评分不足以重抽样）",
    # criterion breakdown
    "breakdown_title": "评分构成：各评分项得分（去掉最高最低分后，按阶段权重合计）",
    "breakdown_max": "满分{max:g}",
    "breakdown_mean": "本类别平均",
    "breakdown_note": "颜色越深，该项在本类别中越靠前。",
    # discussion order and card
    "order_rank": "按排名",
    "order_borderline": "边缘优先",
    "order_label": "讨论顺序",
    "prev": "‹ 上一项",
    "next": "下一项 ›",
    "position": "第 {i} / {n} 项",
    "item": "{i}. {studio}（第{rank}名）",
    "item_unranked": "{i}. {studio}（未排名）",
    "card_rank": "第{rank}名",
    "card_unranked": "未排名",
    "card_scores": "综合得分 {composite}",
    "card_interval": "{level}名次区间 {low}–{high} · 进入前{slots}名的概率 {p}",
    "card_spread": "评委打分分布",
    "card_spread_note": "空心点为去掉的最高分、最低分；黑色竖线为该阶段得分",
    "spread_x": "评委打分（总分，满分{max}）",
    "card_comments": "评委意见",
    "card_no_comments": "评委未填写意见。",
    "card_photos": "照片",
    "card_comment": "{alias} · {stage} · {total}分：",
    "card_borderline": "边缘原因：{reasons}",
    "card_decided": "已审定：{decision}",
    "yes": "是",
    "no": "否",
    "facts_people": "{n}人",
    # decision panel
    "decision_title": "审定（会议秘书填写）",
    "decision_note": "备注（可选，{max}字以内）",
    "decision_record": "记录审定结果",
    "decision_pick": "请先选择 通过、不通过 或 暂缓。",
    "decision_saved": "已记录：{studio} —— {decision}（依据数据快照 {snapshot}，{at}）",
    "decision_current": "当前审定：{decision}{replaced}{note}——{actor} 记录于 {at}（第 {version} 版，数据快照 {snapshot}）",
    "decision_replaces": "（接替{studio}的名额）",
    "chip_replacement": "递补通过",
    "decision_older": "此项审定依据的数据快照与当前显示的不同，请核对。",
    # 递补
    "replace_title": "递补",
    "replace_intro": "{studio}未通过或暂缓，空出名额。按排名顺序依次提出的递补人选：",
    "replace_item": "第{rank}名 {studio}（综合得分 {composite}）",
    "replace_option": "递补：第{rank}名 {studio}",
    "replace_none": "已无可递补的工作室（排名在后者均已审定或尚无评分）。",
    "replace_record": "记录递补（通过）",
    "replace_default_note": "递补",
    # the excluded
    "excluded_none": "该类别没有未进入排名的推荐对象。",
    "ex_col_studio": "工作室",
    "ex_col_recommender": "推荐单位",
    "ex_col_reason": "未进入排名原因",
    "ex_col_detail": "具体情况",
    "ex_col_ask": "需会议认定",
    "ex_reason_review": "待核实",
    "ex_reason_ineligible": "资格不符",
    "ex_reason_over_quota": "超出推荐名额",
    "ex_reason_unscored": "尚无评分",
    "ex_ask": "认定{verdict}",
    "ex_ruled": "已有改判",
    "ruling_title": "会议认定（记录为改判，须写明理由）",
    "ruling_note": "认定后重新读取数据：认定为合格或名额内者进入评审与排名。",
    "ruling_reason": "认定理由（必填，500字以内）",
    "ruling_record": "记录会议认定",
    "ruling_saved": "已记录会议对{studio}的认定，数据已重新读取。",
    "ruling_prefix": "主席办公会认定：",
    "decision_none": "尚未审定。",
    "decision_failed": "未能记录：{why}",
    "actor": "会议秘书",
    # what-if
    "whatif_title": "预览（不改变正式名单）",
    "whatif_sub": "以下为按其他计分方式重新排序的预览，仅供讨论参考；正式名单、审定结果均不受影响。依据数据快照 {snapshot}。",
    "whatif_aggregation": "计分方式",
    "whatif_weight": "{stage}权重（%）",
    "whatif_weights": "阶段权重：{weights}（合计 {total}%，须为100%）",
    "whatif_official": "正式名单",
    "whatif_preview": "预览",
    "whatif_move": "名次变化",
    "whatif_status": "拟命名变化",
    "whatif_in": "新进入",
    "whatif_out": "退出",
    "whatif_same": "与正式名单的拟命名完全相同。",
    "whatif_changes": "与正式名单相比：新进入 {n_in} 个，退出 {n_out} 个。",
    "agg_olympic": "去掉最高最低分（正式规则）",
    "agg_mean": "算术平均",
    "agg_median": "中位数",
}
# Short labels and units of the facts on the candidate card (others: SUMMARY_FIELDS).
CARD_FACT_LABELS: dict[str, str] = {
    "category": "类别", "leader_honours": "领衔人荣誉", "named_on": "命名为市劳模创新工作室", "site_area": "场所面积",
    "funding": "年度经费", "results_last_year": "近一年创新成果", "benefit": "经济效益", "legal_person": "单位法人资格",
    "union_sound": "单位工会健全", "party_building": "党建引领", "systems": "制度健全", "ledger": "台账详实",
    "video": "宣传视频", "direct": "特别优秀直接推荐",
}
CARD_FACT_UNITS: dict[str, str] = {
    "team_size": "人", "frontline": "人", "site_area": "平方米", "funding": "万元", "results_last_year": "项",
    "benefit": "万元",
}
# The candidate dossier (workbench/dossier.py): the scoring card, the meeting card and the printed file.
DOSSIER: dict[str, str] = {
    "no_value": "—", "yes": "是", "no": "否",
    "facts": "基本情况", "screening": "资格审查", "narratives": "推荐表",
    "members": "团队成员（{n}人）", "achievements": "创新成果（{n}项）", "photos": "照片（点击放大）",
    "materials": "电子材料（点击页面放大）",
    "rules_ok": "全部 {n} 项审查符合", "override": "人工改判：{note}",
    "narrative_missing": "推荐表中未填写此项。",
    "no_members": "推荐表未附团队成员名单。", "no_achievements": "推荐表未附创新成果清单。",
    "no_photos": "未找到报送的照片。", "no_materials": "未报送电子材料（PDF）。",
    "zoom_hint": "点击放大，再次点击关闭",
    "material_head": "{name}（共{pages}页）", "page": "第{page}页 / 共{pages}页",
    "prev_page": "◀ 上一页", "next_page": "下一页 ▶",
    "pdf_too_big": "文件过大（{mb:.0f} MB，超过 {max} MB），未在此显示，请查阅原件。",
    "pdf_encrypted": "文件设有密码，无法显示，请联系推荐单位提供无密码的版本。",
    "pdf_unreadable": "文件已损坏或不是有效的 PDF，无法显示。",
    "pdf_no_page": "没有第{page}页。",
    "pdf_more_pages": "仅显示前 {shown} 页（共 {pages} 页），其余请查阅原件。",
    "print_head": "{round} · {category} · 申报材料（{nomination_id}）",
    "not_found": "没有找到推荐对象“{key}”（请用推荐编号，如 N1A2B3C4D，或完整的工作室名称）",
    "ambiguous": "有多个推荐对象名为“{key}”，请用推荐编号：{choices}",
    "bad_suffix": "输出文件须以 .pdf 或 .html 结尾：{name}",
    "no_printer": "本机没有可用于生成 PDF 的程序（Chromium 或 LibreOffice）；可改为输出 .html 后打印",
    "print_failed": "生成 PDF 失败；可改为输出 .html 后用浏览器打印",
    "written": "申报材料已写入：{path}",
}
# Why a decision was refused (code -> message; the code follows in [ ]).
DECISION_MESSAGES: dict[str, str] = {
    "no_snapshot": "当前没有可用的数据快照，请先点击“刷新”",
    "not_a_candidate": "{nomination_id!r} 不是当前数据快照中的参评工作室",
    "bad_decision": "审定结果须为 通过、不通过 或 暂缓（当前值：{value!r}）",
    "bad_note": "备注须为文字",
    "note_too_long": "备注过长（{n} 字），请控制在 {max} 字以内",
    "bad_version": "审定版本号须为正整数或留空（当前值：{value!r}）",
    "nothing_to_replace": "{nomination_id} 未被审定为“不通过”或“暂缓”，没有空出的名额可递补",
    "not_offered": "{nomination_id!r} 不在本次递补的候选之列（递补按排名顺序依次提出）",
    "not_excluded": "{nomination_id!r} 不在未进入排名的名单中，或没有需要会议认定的事项",
    "bad_ruling": "认定结果 {value!r} 不在可选之列",
    "bad_reason": "认定理由须为文字",
    "reason_too_long": "认定理由过长（{n} 字），请控制在 {max} 字以内",
    "reason_required": "会议认定须写明理由",
    "bad_weights": "各阶段权重须为 0–100 的整数百分比，且合计为 100%（当前合计 {total}%）",
}
# What the meeting must see before deciding (workbench.decisions.warnings_for).
MEETING_WARNINGS: dict[str, str] = {
    "no_margin": "{category}：参评 {candidates} 个，不多于名额 {slots} 个，未形成差额遴选，请会议确认是否照此审定",
    "tie_at_cut": "{category}：拟命名线上并列——{studios}，须由会议决定",
    "few_scores": "{category}：{n} 个工作室评分人数少于 {min} 人，得分按算术平均，仅供参考",
    "no_scores": "{category}：{n} 个工作室尚无评分，未能排名",
    "over_places": "{category}：已审定通过 {n} 个，多于名额 {slots} 个，请会议核对",
    "older_snapshot": "有 {n} 项审定依据的是较早的数据快照（{snapshots}），与当前快照 {current} 不同，请核对",
}
SERVE: dict[str, str] = {
    "address": "{name} 看板已启动：{url}（按 Ctrl+C 停止）",
    "unknown": "没有名为 {name} 的看板（可用：{known}）",
    "missing": "找不到看板笔记本 {path}",
    "port_in_use": "端口 {port} 已被其他程序占用（{host}）。请关闭它，或换一个端口：workbench serve --port 8867（make demo PORT=8867）",
    "stopping": "正在停止看板（Voila 及其内核）……",
    "warm_failed": "未能预先读取评审对象资料（评委登录后将各自读取）",
    "stopped": "看板已停止。",
    "lan_token": "在局域网上提供页面须有令牌：已生成一个，请把带令牌的完整地址发给评委。",
    "host_refused": "此服务器不接受主机名 {host}：请使用工作人员提供的地址；如需使用此名称，请把它加入轮次配置 [serving] allowed_hosts。 [host_refused]",
    "busy_page": ("<!doctype html><html lang='zh'><meta charset='utf-8'><title>服务器繁忙</title>"
                  "<body style='font:18px/1.6 sans-serif;max-width:36em;margin:3em auto'>"
                  "<h1 style='font-size:24px'>同时打开的页面已达上限</h1>"
                  "<p>请关闭不用的评审页面，半分钟后刷新本页再试。如仍不能打开，请联系工作人员。</p>"
                  "<p style='color:#666'>[server_busy]</p></body></html>"),
}

# ---------------------------------------------------------------------------- store and review (workbench/store.py, workbench/review.py)
# Messages of the score store; "{…}" fields are filled in by the store, the English code follows in [ ].
STORE_MESSAGES: dict[str, str] = {
    "stale_write": "该评分表已在别处修改，请刷新后再保存",
    "stale_write_many": "以下评分表已在别处修改，请刷新后再保存：{sheets}",
    "not_assigned": "评委 {reviewer_id} 未被分配评审 {nomination_id}（{stage}）",
    "unknown_nomination": "评分库中没有编号为 {nomination_id} 的推荐对象，请先导入推荐名单",
    "unknown_reviewer": "评分库中没有编号为 {reviewer_id} 的评委，请先导入评委名单",
    "conflicted": "评委 {reviewer_id} 须回避 {nomination_id}（{reason}），不能评分",
    "unknown_stage": "未知的评审阶段 {stage!r}（可用：{known}）",
    "unknown_category": "推荐对象 {nomination_id} 的类别 {category!r} 不是本轮的类别（可用：{known}）",
    "bad_points": "评分须为“评分项: 分值”的对应表",
    "unknown_criterion": "{name!r} 不是{stage}阶段的评分项（可用：{known}）",
    "not_a_number": "{label}：分值须为数字（当前值：{value!r}）",
    "out_of_range": "{label}：分值须在 0 到 {max:g} 之间（当前值：{value:g}）",
    "wrong_step": "{label}：分值须为 {step:g} 的整数倍（当前值：{value:g}）",
    "missing_criterion": "{label}：提交前须填写此项",
    "duplicate_criterion": "评分表 {sheet} 中评分项 {name!r} 出现多次",
    "comment_required": "总分 {total:g} 低于 {below:g} 分或高于 {above:g} 分，提交时须填写评语",
    "bad_comment": "评语须为文字",
    "bad_version": "版本号须为整数或留空（当前值：{value!r}）",
    "bad_status": "评分状态须为 草稿 或 已提交（当前值：{value!r}）",
    "bad_decision": "审定结果须为 通过、不通过 或 暂缓（当前值：{value!r}）",
    "snapshot_required": "审定须注明所依据的数据快照编号",
    "decision_stale": "{studio}的审定已由 {actor} 于 {at} 改为“{decision}”（第 {version} 版），您的这次审定没有保存，也没有覆盖它。请核对后再审定",
    "decision_stale_new": "{studio}的审定已在别处记录或撤销，您的这次审定没有保存。请刷新核对后再审定",
    "bad_replaces": "递补须注明被替补的推荐对象编号（当前值：{value!r}）",
    "bad_replacement": "{nomination_id} 不能递补 {replaced}：递补须为同一类别、替补已审定“不通过”或“暂缓”者，且审定为“通过”",
    "actor_required": "须注明操作人",
    "bad_override": "改判对象须为资格审查或名额（当前值：{value!r}）",
    "bad_override_value": "{verdict}的改判结果 {value!r} 无效（可用：{known}）",
    "reason_required": "改判须填写书面理由",
    "missing_columns": "{what}缺少列：{missing}",
    "blank_ids": "{what}中有 {n} 行缺少编号",
    "assignment_conflict": "分配方案含须回避的评委：{pairs}",
    "assignment_in_use": "以下分配已有评分，不能撤销：{pairs}",
    "schema_too_new": "评分库由更新版本的工作台创建（库结构版本 {found}，本程序支持 {supported}），请升级工作台",
    "store_busy": "评分库繁忙（等待超过 {seconds:g} 秒），本次未保存，请稍后再试",
    "store_busy_held": "评分库正被{holder}占用，已等待 {seconds:g} 秒仍未轮到，本次未保存，请稍后再试",
    "store_timed_out": "本次保存耗时过长，已被数据库中止，未保存，请重试",
    "holder_running": "另一进程（{pid}）",
    "holder_stopped": "一个已暂停的进程（{pid}，请让管理员恢复或结束它）",
    "holder_unknown": "另一进程",
    "pledge_required": "评委 {reviewer_id} 尚未签署保密承诺和回避声明，不能查看评审对象或评分",
    "bad_pledge_method": "承诺方式须为 {known}（当前值：{value!r}）",
    "bad_entry": "录入遍次须为 1 或 2（当前值：{value!r}）",
    "unknown_condition": "{value!r} 不是实地考察的核查项（可用：{known}）",
    "inspectors_required": "实地考察记录须写明考察人",
    "bad_visit_date": "考察日期无效（当前值：{value!r}）",
    "bad_check": "核查结果须为 是、否 或留空（当前值：{value!r}）",
    "and_more": " 等共 {n} 项",
}
# What the frames handed to the store are called in messages.
STORE_FRAMES: dict[str, str] = {
    "reviewers": "评委名单",
    "nominations": "推荐名单",
    "assignments": "分配方案",
    "scores": "评分表",
}
OVERRIDE_VERDICTS: dict[str, str] = {"eligibility": "资格审查", "quota_status": "名额"}

# Reviewers file (reviewers.csv / .xlsx): field -> header, and other headers people use.
REVIEWER_FIELDS: dict[str, str] = {"reviewer_id": "评委编号", "name": "姓名", "unit": "工作单位", "panel": "评审组",
                                   "field": "专业领域"}
REVIEWER_ALIASES: dict[str, list[str]] = {
    "reviewer_id": ["编号", "评委id", "专家编号", "id"],
    "name": ["评委姓名", "专家姓名", "评委"],
    "unit": ["单位", "所在单位", "单位名称", "工作单位名称"],
    "panel": ["评审类别", "类别", "组别", "评审组别"],
    "field": ["领域", "专业", "专业类别", "专业方向"],
}
REVIEW_MESSAGES: dict[str, str] = {
    "reviewer_file_missing": "找不到评委名单文件 {path}",
    "reviewer_file_unreadable": "评委名单文件 {path} 无法读取：{why}",
    "reviewer_columns_missing": "评委名单 {path} 缺少列：{missing}（须有 评委编号、姓名、工作单位）",
    "reviewer_id_blank": "评委名单 {path} 第 {rows} 行缺少评委编号",
    "reviewer_duplicate_id": "评委名单 {path} 中评委编号重复：{ids}",
    "missing_columns": "{what}缺少列：{missing}",
    "duplicate_nomination": "候选名单中编号重复：{ids}",
    "duplicate_reviewer": "评委名单中评委编号重复：{ids}",
    "missing_nominations": "分配方案中的编号不在推荐名单中：{ids}",
    "unknown_stage": "未知的评审阶段 {stage!r}（可用：{known}）",
    "unknown_panel": "评委 {reviewer_id} 的评审组 {panel!r} 不是本轮的类别（可用：{known}）",
    "assignment_infeasible": "以下候选无法分配到足够的评委，请增加评委或调整每位评委的评审上限：\n{details}",
    "infeasible_detail": "{nomination_id} {studio}（{stage}）：需 {need} 名评委，可选 {available} 名（评审组外 {outside} 名，回避 {conflicted} 名，已满 {full} 名）",
}
CONFLICT_REASONS: dict[str, str] = {
    "host_unit": "评委所在单位即工作室所在单位",
    "recommender": "评委所在单位即推荐单位",
    "declared": "评委申报回避",
}
# Trailing words stripped from unit names before comparing them ("某某公司工会" is 某某公司's union).
UNION_SUFFIXES: tuple[str, ...] = ("工会委员会", "工会")
# Comments attached to simulated sheets whose total needs one.
SIMULATED_COMMENTS: dict[str, str] = {
    "low": "（模拟评语）材料不够完整，创新成果偏少。",
    "high": "（模拟评语）创新成果突出，示范引领作用明显。",
}

# ---------------------------------------------------------------------------- funnel (ranking)
FUNNEL = {"nominated": "推荐", "eligible": "资格合格", "in_quota": "名额内", "reviewed": "评审", "proposed": "拟命名"}

# ---------------------------------------------------------------------------- sample round (workbench/sample.py)
# Everything below only feeds the generated, fictional sample round: invented names and texts.
SAMPLE_DISTRICT_UNIONS: dict[str, str] = {  # union -> place prefix of its host units
    "江阴市总工会": "江阴", "宜兴市总工会": "宜兴", "梁溪区总工会": "无锡", "锡山区总工会": "无锡",
    "惠山区总工会": "无锡", "滨湖区总工会": "无锡", "新吴区总工会": "无锡", "经开区总工会": "无锡",
}
# Bureau and company unions: (union, sector, brand of its host units or "" for any brand).
SAMPLE_OTHER_UNIONS: list[tuple[str, str, str]] = [
    ("市交通运输局工会", "transport", ""), ("市卫生健康委工会", "health", ""), ("无锡地铁集团工会", "metro", ""),
    ("市教育局工会", "education", ""), ("市住房城乡建设局工会", "construction", ""), ("市水利局工会", "utility", ""),
    ("市工业和信息化局工会", "manufacturing", ""), ("市国资委工会", "manufacturing", ""),
    ("市农业农村局工会", "agriculture", ""), ("市市政园林局工会", "utility", ""), ("市商务局工会", "commerce", ""),
    ("市文化广电和旅游局工会", "commerce", ""), ("市科技局工会", "manufacturing", ""),
    ("无锡恒晟控股集团工会", "manufacturing", "恒晟"), ("无锡澄远实业集团工会", "manufacturing", "澄远"),
    ("无锡锡能环保集团工会", "utility", "锡能"), ("无锡宏川交通投资集团工会", "transport", "宏川"),
    ("无锡瑞泽医药集团工会", "manufacturing", "瑞泽"), ("无锡湖畔建设集团工会", "construction", "湖畔"),
    ("无锡博纳电子集团工会", "manufacturing", "博纳"), ("无锡禾丰农业发展集团工会", "agriculture", "禾丰"),
    ("无锡远帆物流集团工会", "transport", "远帆"), ("无锡汇澜水务集团工会", "utility", "汇澜"),
    ("无锡晨曦纺织集团工会", "manufacturing", "晨曦"), ("无锡启元商业集团工会", "commerce", "启元"),
    ("无锡鼎峰装备集团工会", "manufacturing", "鼎峰"), ("无锡蓝湾文旅集团工会", "commerce", "蓝湾"),
]
SAMPLE_GENERATED_UNION = "无锡{brand}{word}集团工会"
SAMPLE_GENERATED_UNION_NUMBERED = "无锡{brand}{word}集团第{n}工会"
SAMPLE_GROUP_WORDS = ["实业", "控股", "发展", "投资", "产业", "科技", "智造", "能源"]
SAMPLE_BRANDS = [
    "华晟", "恒泰", "瑞丰", "联创", "宏达", "金辉", "锡晟", "澄瑞", "远航", "新锐", "博川", "天祺", "盛邦", "凯越",
    "启明", "鼎诚", "嘉禾", "润泽", "汇通", "长荣", "永固", "安澜", "丰源", "卓越", "晨光", "东旭", "立信", "明德",
    "恒昌", "锦程", "弘毅", "晟华", "信达", "宝丰", "云帆", "瀚海", "铭泰", "柏源", "德馨", "华锡", "太科", "惠丰",
    "新洲", "湖光", "鸿运", "科瑞", "正和", "睿达", "合盛", "泰隆", "群力", "信诚", "众联", "锡澜", "澄泓", "荆溪",
    "梁鸿", "蠡源", "溪山", "阳山",
]
# sector -> industries of host units, name suffixes, studio technique words, 所属行业
SAMPLE_SECTORS: dict[str, dict[str, list[str]]] = {
    "manufacturing": {
        "industries": ["精密机械", "特种钢材", "电子科技", "新材料", "智能装备", "纺织", "汽车零部件", "光伏科技",
                       "环保设备", "电力设备", "生物医药", "化纤", "数控机床", "液压件", "电缆", "轴承"],
        "suffixes": ["有限公司", "股份有限公司", "集团有限公司"],
        "techs": ["数控加工", "焊接工艺", "设备维修", "电气自动化", "质量检测", "工艺改进", "节能降耗", "模具设计",
                  "精密测量", "智能制造"],
        "trade": ["制造业"],
    },
    "transport": {
        "industries": ["公交客运", "港务", "交通工程", "汽车客运", "航道工程", "物流"],
        "suffixes": ["有限公司", "集团有限公司"],
        "techs": ["车辆检修", "智能调度", "路面养护", "安全驾驶", "桥梁检测", "新能源车辆维护"],
        "trade": ["交通运输业"],
    },
    "metro": {
        "industries": ["轨道运营", "轨道建设", "轨道科技", "轨道资源开发"],
        "suffixes": ["有限公司"],
        "techs": ["信号维护", "车辆检修", "供电检修", "轨道检修", "智能运维", "客运服务"],
        "trade": ["交通运输业"],
    },
    "health": {
        "industries": ["医院", "中医医院", "康复医院", "口腔医院", "妇幼保健院"],
        "suffixes": [""],
        "techs": ["护理技术", "临床检验", "微创外科", "医学影像", "中医康复", "急救技术"],
        "trade": ["卫生"],
    },
    "education": {
        "industries": ["中等专业学校", "职业技术学校", "技师学院", "实验学校"],
        "suffixes": [""],
        "techs": ["实训教学", "技能竞赛", "机电一体化", "数字化教学", "工业机器人"],
        "trade": ["教育"],
    },
    "construction": {
        "industries": ["建设工程", "建筑安装", "市政工程", "装饰工程"],
        "suffixes": ["有限公司", "集团有限公司"],
        "techs": ["绿色施工", "钢结构", "BIM技术", "幕墙工程", "安全生产"],
        "trade": ["建筑业"],
    },
    "utility": {
        "industries": ["水务", "燃气", "热电", "环境卫生", "供排水", "园林绿化"],
        "suffixes": ["有限公司", "集团有限公司"],
        "techs": ["水质监测", "管网运维", "燃气安全", "节能降耗", "智能抄表", "垃圾处理"],
        "trade": ["电力、燃气及水的生产和供应业"],
    },
    "agriculture": {
        "industries": ["农业科技", "种业", "生态农业", "茶业", "水产"],
        "suffixes": ["有限公司", "股份有限公司"],
        "techs": ["良种繁育", "茶叶加工", "智慧农业", "水产养殖"],
        "trade": ["农业"],
    },
    "commerce": {
        "industries": ["商业", "文旅发展", "酒店管理", "食品", "供应链管理"],
        "suffixes": ["有限公司", "集团有限公司"],
        "techs": ["服务创新", "烹饪技艺", "数字营销", "文旅服务", "冷链物流"],
        "trade": ["批发和零售业", "住宿和餐饮业"],
    },
}
SAMPLE_BRANCHES = ["第二分公司", "第一事业部", "城东分部"]  # host units without legal personality
SAMPLE_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
                   "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤")
SAMPLE_GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华辉建国峰林鹏宇浩凯健俊帆帅旭晨亮政谦昊斌婷雪琳"
                "晶欣怡悦璐佳文博志立新宏春玉海燕秋梅德荣忠良春雷振东晓云红飞鑫鸣瑞丹莉彬楠倩洁阳琪源卫民庆")
SAMPLE_STUDIO_MODEL = "{leader}劳模创新工作室"
SAMPLE_STUDIO_EMPLOYEE = "{leader}职工创新工作室"
SAMPLE_STUDIO_TECH = "{brand}{tech}创新工作室"
SAMPLE_STUDIO_TECH_EMPLOYEE = "{brand}{tech}职工创新工作室"
# Honours that are not in honours.csv (the sample checks against the round's table before use).
SAMPLE_UNKNOWN_HONOURS = ["江苏省五一创新能手", "无锡市五一巾帼标兵", "全国青年岗位能手", "无锡市优秀共产党员",
                          "江苏省青年岗位能手", "无锡市十佳职工"]
SAMPLE_HONOUR_YEAR = "{year}年{title}"
SAMPLE_HONOUR_SEPARATORS = ["；", ";", "、", ",", "/", "\n"]
SAMPLE_BOOL_STYLES: list[tuple[str, str]] = [("是", "否"), ("有", "无"), ("√", "×"), ("Y", "N")]
SAMPLE_UNITS: dict[str, str] = {"team_size": "人", "frontline": "人", "results_last_year": "项",
                                "site_area": "平方米", "funding": "万元", "benefit": "万元"}
SAMPLE_DATE_FORMATS = ["{y}.{m:02d}", "{y}年{m}月", "{y}-{m}", "{y}/{m:02d}/01"]
SAMPLE_DAY_FORMAT = "{y}年{m}月{d}日"
SAMPLE_HEADER_UNIT_SUFFIX: dict[str, str] = {"team_size": "（人）", "frontline": "（人）", "established": "（年月）",
                                             "named_on": "（年月）"}
SAMPLE_PRE_HEADER = ["（劳模创新工作室含示范性合计不超过3家，职工创新工作室不超过1家）", "单位：家"]
SAMPLE_SUMMARY_NOTES = [
    "填表说明：",
    "1. 推荐类别填写“示范性”“劳模”或“职工”；",
    "2. 推荐排序按劳模创新工作室（含示范性）、职工创新工作室分别填写；",
    "3. 成立时间、命名时间填写到年月；",
    "4. 是否类栏目填写“是”或“否”。",
]
SAMPLE_NOTES_SHEET = "填表说明"
SAMPLE_BLANK_SHEET = "Sheet2"
SAMPLE_ALT_SUMMARY_SHEETS = ["Sheet1", "汇总表"]
# Columns some unions add: code -> (header, values; the codes seq and trade are filled by the sample).
SAMPLE_EXTRA_COLUMNS: dict[str, tuple[str, list[str]]] = {
    "seq": ("序号", []),
    "unit_type": ("单位性质", ["国有企业", "民营企业", "事业单位", "外资企业", "集体企业"]),
    "trade": ("所属行业", []),
    "leader_post": ("领衔人职务", ["车间主任", "首席技师", "副总工程师", "技术科长", "班组长", "科室主任", "高级技师"]),
}
SAMPLE_CITY = "无锡"
SAMPLE_METRO_REGION = "无锡地铁集团"
SAMPLE_METRO_SHORT = "地铁"
SAMPLE_DATE_CELL_FORMATS = ["yyyy-mm-dd", 'yyyy"年"m"月"', "yyyy.mm"]  # Excel number formats of date cells
SAMPLE_ROW_NOTES = ["材料另附", "原区级劳模创新工作室", "纸质材料随后报送"]
SAMPLE_DIRECT_NOTE = "领衔人获评全国劳动模范，工作室攻关成果突出，特别优秀直接推荐，理由详见推荐表"
SAMPLE_RND_NOTE = "工作室依托本单位技术研发中心设立"
SAMPLE_SUMMARY_FILE = "{recommender}推荐汇总表{ext}"
SAMPLE_FORM_FILE = "{studio}推荐表.xlsx"
SAMPLE_PHOTO_DIR = "照片"
# 推荐表 narratives: str.format templates filled from the studio's facts.
# The sample's narratives: one paragraph per list, a template picked per studio (all invented).
SAMPLE_DEEDS: list[list[str]] = [
    ["{leader}同志扎根生产一线{years}年，从一名普通操作工成长为{title}，始终把“{tech}”作为主攻方向。"
     "{est}工作室成立以来，{leader}带领团队立足岗位、聚焦难题，累计完成创新项目{projects}项，"
     "多项成果填补了本单位的技术空白。",
     "{leader}同志在{tech}领域深耕{years}年，是单位公认的“技术尖子”和“问题终结者”。"
     "工作室以其名字命名，围绕生产经营中的瓶颈问题组织攻关，先后承担各类创新项目{projects}项。"],
    ["工作室现有成员{team}人，其中一线职工{frontline}人，形成了以领衔人为核心、骨干成员为支撑、"
     "青年职工广泛参与的梯次结构。团队坚持“小发明、小创造、小革新、小设计、小建议”五小活动常态化，"
     "每月召开一次技术攻关例会，把现场问题变成攻关课题。",
     "团队{team}名成员来自生产、技术、设备、质量等不同岗位，一线职工{frontline}人。"
     "工作室实行“课题负责制”，每个攻关项目明确负责人和完成时限，成员之间结对互补，"
     "形成了“人人有课题、个个讲创新”的良好氛围。"],
    ["工作室坚持“师带徒”传帮带，制定个人培养计划，近三年培养技师、高级技师{apprentices}名，"
     "多名成员在市级以上职业技能竞赛中获奖。工作室还面向全单位开设技能讲堂，累计授课{lessons}次，"
     "受益职工{trainees}人次。",
     "在人才培养方面，工作室把“传帮带”作为重要任务，领衔人与青年职工签订师徒协议，"
     "近三年带出技师、高级技师{apprentices}名；组织技术交流和现场教学{lessons}次，培训职工{trainees}人次。"],
    ["工作室建有独立活动场所{area}平方米，配备必要的试验和检测设备，年度经费单独列支。"
     "管理制度上墙公示，活动记录、攻关台账和成果档案齐全规范，实现了有场所、有制度、有经费、有台账、有成果。",
     "单位为工作室提供{area}平方米的固定场所和专项经费保障，工作室建立了例会、项目管理、成果申报和"
     "经费使用等制度，各项活动均有记录可查，台账详实。"],
]
SAMPLE_RESULTS: list[list[str]] = [
    ["近一年工作室取得经认定的创新成果{results}项，累计创造经济效益约{benefit}万元。"
     "成果涵盖技术攻关、工艺改进、设备革新和先进操作法等多个方面。",
     "工作室近一年共有{results}项创新成果通过认定，创造经济效益约{benefit}万元，"
     "部分成果已在集团内兄弟单位推广。"],
    ["其中，“{first}”项目针对长期困扰生产的难点问题，经过反复试验，形成了稳定可靠的解决方案，"
     "推广应用后质量和效率明显提升，获得单位和用户的一致好评。",
     "代表性成果“{first}”由领衔人牵头攻关，团队历时数月完成方案设计、样机试制和现场验证，"
     "显著降低了故障率和维修成本。"],
    ["下一步，工作室将继续围绕企业发展需求，深化产学研合作，推动更多成果转化为现实生产力。",
     "工作室还将成果整理成标准化作业指导书，在更大范围内推广应用，发挥示范带动作用。"],
]
SAMPLE_UNIT_OPINION = [
    "该工作室制度健全、运行规范、成效明显，领衔人技术过硬、作风扎实，在本单位发挥了较好的示范引领作用。",
    "同意推荐。（盖章）{date}",
]
SAMPLE_UNION_OPINION = ["经审核，所报材料真实准确，该工作室符合申报条件，同意推荐。", "（盖章）{date}"]
SAMPLE_TITLES_OF_LEADER = ["高级技师", "技能专家", "高级工程师", "首席技师"]
SAMPLE_PDF_FILE = "申报材料.pdf"
SAMPLE_PDF: dict[str, str] = {
    "title": "{studio}", "subtitle": "申报材料（电子版）", "recommender": "推荐单位：{recommender}",
    "host": "所在单位：{host}", "leader": "领衔人：{leader}", "date": "{date}",
    "deeds": "一、主要事迹", "results": "二、主要创新成果", "chart": "近年创新成果经济效益（万元）",
    "footer": "第{page}页 共{pages}页", "mark": "示例材料，内容纯属虚构",
}
SAMPLE_GENDERS = ["男", "女"]
SAMPLE_EDUCATION = ["高中", "中专", "大专", "本科", "本科", "硕士研究生", "博士研究生"]
SAMPLE_TITLES = ["高级技师", "技师", "高级工", "中级工", "工程师", "高级工程师", "助理工程师", "正高级工程师"]
SAMPLE_POSTS = ["车间主任", "技术员", "操作工", "质检员", "设备维修工", "班组长", "工艺员", "研发工程师"]
SAMPLE_ACH_OBJECTS = ["大型轴类零件", "高压管道焊缝", "数控车床主轴", "车辆制动系统", "污水处理曝气系统",
                      "配电柜接线", "精密模具", "生产线物料输送", "设备润滑系统", "检测工装"]
SAMPLE_ACH_ACTIONS = ["加工效率提升", "在线检测技术", "故障快速诊断", "节能改造", "工装夹具优化", "自动化改造",
                      "质量控制方法", "安全防护改进"]
SAMPLE_ACH_NAME = "{object}{action}"
SAMPLE_ACH_KINDS = ["技术攻关", "技术革新", "发明专利", "实用新型专利", "合理化建议", "先进操作法"]
SAMPLE_ACH_PATENTS = ["发明专利", "实用新型专利"]  # recognised at national level
SAMPLE_ACH_NO_BENEFIT = ["合理化建议"]
SAMPLE_ACH_LEVELS: dict[str, str] = {  # 认定级别 -> 认定单位 ("{host}" is the studio's own unit)
    "国家级": "国家知识产权局", "省级": "江苏省总工会", "市级": "无锡市总工会", "区级": "区总工会",
    "企业级": "{host}",
}
SAMPLE_REVIEWER_UNITS = ["江南大学", "无锡职业技术学院", "无锡商业职业技术学院", "江苏信息职业技术学院",
                         "无锡城市职业技术学院", "无锡科技职业学院", "市人社局", "市科技局", "市发展改革委",
                         "市职业技能鉴定指导中心", "市生产力促进中心", "市总工会职工技协"]
SAMPLE_REVIEWER_FIELDS = ["机械制造", "电子信息", "化工材料", "能源电力", "经济管理"]
SAMPLE_README = """本文件夹中的全部内容（推荐单位以外的单位名称、工作室、人员姓名、电话、荣誉、评委、命名登记等）
均为程序自动生成的虚构示例数据，仅用于演示和测试“创新工作室评审工作台”，不涉及任何真实的人和工作室。
联系电话均含“0000”，不是真实号码。

生成参数：随机种子 {seed}，推荐单位 {unions} 个，推荐对象 {n} 条。
inbox/              各推荐单位报送的材料（推荐汇总表、推荐表、照片）及收件登记.csv
named_studios.csv   往批次已命名工作室登记（虚构）
reviewers.csv       评委名单（虚构）
ground_truth.csv    生成时埋设的各类问题（供测试核对）
"""
SAMPLE_TARGET_NOT_EMPTY = "{path} 中已有 inbox 文件夹且不是示例数据，为免覆盖真实材料，未生成示例（请指定一个空文件夹）"

# ---------------------------------------------------------------------------- blank templates (workbench/templates.py)
TEMPLATE_SUMMARY_FILE = "附件1 劳模、职工创新工作室推荐汇总表.xlsx"
TEMPLATE_FORM_FILE = "附件{n} {label}推荐表.xlsx"
# The blanks of the 推荐单位/填表人/联系电话/填报日期 line (underlined on paper, read as empty).
TEMPLATE_FILL_BLANKS: dict[str, str] = {"recommender": "\u3000" * 12, "contact": "\u3000" * 6,
                                        "phone": "\u3000" * 8, "date": "\u3000" * 8}
TEMPLATE_NOTES_TITLE = "填表说明："
TEMPLATE_QUOTA = "{group}不超过{limit}家"
# str.format fields: {choices} short category names, {labels} full names, {groups} quota groups,
# {quotas} the per-union limits, {max_rank}, {demonstration} / {demo} the 示范性 label / short name,
# {demo_fields} the columns only 示范性 fills in.
TEMPLATE_SUMMARY_NOTES: list[str] = [
    "1. 一个工作室填一行。推荐类别从下拉列表选择“{choices}”，分别指{labels}。",
    "2. 推荐排序按{groups}分别从1开始连续填写；原则上每个推荐单位推荐{quotas}。",
    "3. 是否类栏目从下拉列表选择“是”或“否”，有无宣传视频选“有”或“无”。",
    "4. 成立时间、命名时间填写到年月，如“2019年5月”；{demo_fields}仅{demonstration}填写。",
    "5. 人数、面积、经费、成果数、经济效益只填数字，单位见表头，不要另加“人”“万元”等字样。",
    "6. 领衔人荣誉称号有多项的用“；”分隔，写明授予机关或级别，如“无锡市劳动模范；江苏省五一劳动奖章”。",
    "7. 请勿合并单元格、增删列或改动表头；本表与推荐表（附件2、3、4）、电子照片一并报送。",
]
TEMPLATE_FORM_NOTES: list[str] = [
    "1. 灰底栏目为表头，请在其右侧空格内填写；是否类栏目从下拉列表选择。",
    "2. 团队成员、创新成果分别填写在本工作簿的“{members}”“{achievements}”工作表中，第一名成员为领衔人。",
    "3. 本表内容应与推荐汇总表（附件1）一致。",
]
TEMPLATE_MEMBER_TITLE = "{label}团队成员名单"
TEMPLATE_ACHIEVEMENT_TITLE = "{label}创新成果清单"
TEMPLATE_PAGE_FOOTER = "第 &P 页，共 &N 页"
# Dropdown choices of yes/no fields: (yes, no); fields not listed take 是/否.
TEMPLATE_YES_NO: dict[str, tuple[str, str]] = {"video": ("有", "无")}
TEMPLATE_DEFAULT_YES_NO = ("是", "否")
TEMPLATE_GENDERS = ("男", "女")
# Input hints shown when a cell is selected: field -> (title, message); str.format fields as above.
TEMPLATE_HINTS: dict[str, tuple[str, str]] = {
    "recommender": ("推荐单位", "填写推荐单位工会全称，如“××区总工会”“××局工会”。"),
    "category": ("推荐类别", "从下拉列表选择“{choices}”。"),
    "recommender_rank": ("推荐排序", "填写1至{max_rank}的整数；{groups}分别排序。"),
    "studio": ("工作室名称", "填写工作室全称，与推荐表一致。"),
    "host_unit": ("所在单位", "填写工作室所在单位全称。"),
    "legal_person": ("法人资格", "所在单位是否具有法人资格，选择“是”或“否”。"),
    "union_sound": ("工会组织", "所在单位工会组织是否健全，选择“是”或“否”。"),
    "rnd_or_team": ("原有建制机构", "工作室是否为单位原有建制的研发机构或班组，选择“是”或“否”。"),
    "party_building": ("党建引领", "是否设有党支部、党小组或党员先锋岗，选择“是”或“否”。"),
    "leader": ("领衔人", "填写领衔人姓名。"),
    "leader_honours": ("荣誉称号", "多项荣誉用“；”分隔，写明授予级别，如“无锡市劳动模范；江苏省五一劳动奖章”。"),
    "team_size": ("团队人数", "只填整数（人），含领衔人。"),
    "frontline": ("一线职工人数", "只填整数（人）。"),
    "established": ("成立时间", "填写到年月，如 2019年5月。"),
    "named_on": ("命名时间", "仅{demo}填写：命名为市劳模创新工作室的年月，如 2019年5月。"),
    "direct": ("直接推荐", "仅{demo}填写：特别优秀直接推荐的选“是”，并在备注或推荐表中说明理由。"),
    "site_area": ("场所面积", "只填数字（平方米）。"),
    "funding": ("年度经费", "只填数字（万元）。"),
    "systems": ("制度", "各项运行制度是否健全，选择“是”或“否”。"),
    "ledger": ("台账", "成员、活动、成果台账是否详实，选择“是”或“否”。"),
    "results_last_year": ("创新成果", "近一年获得认定的创新成果数，只填整数（项）。"),
    "benefit": ("经济效益", "只填数字（万元）。"),
    "video": ("宣传视频", "仅{demo}填写：有无反映工作室特点和成果的宣传视频，选择“有”或“无”。"),
    "contact": ("联系人", "填写联系人姓名。"),
    "phone": ("联系电话", "填写手机或座机号码。"),
    "note": ("备注", "需要说明的其他情况。"),
}
TEMPLATE_NARRATIVE_HINTS: dict[str, tuple[str, str]] = {
    "deeds": ("主要事迹", "对照申报条件，简述工作室建设、运行、人才培养和发挥作用的情况。"),
    "results": ("主要创新成果", "列举主要创新成果、获得的认定和产生的经济效益、社会效益。"),
    "unit_opinion": ("单位意见", "所在单位填写意见，盖章并注明日期。"),
    "union_opinion": ("推荐单位工会意见", "推荐单位工会填写意见，盖章并注明日期。"),
}
TEMPLATE_MEMBER_HINTS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "第一行填写领衔人，其余成员依次填写。"),
    "gender": ("性别", "从下拉列表选择“男”或“女”。"),
    "born": ("出生年月", "填写到年月，如 1985年6月。"),
    "education": ("学历", "如 大专、本科、硕士研究生。"),
    "title": ("职称/技能等级", "如 高级技师、工程师。"),
    "post": ("岗位", "填写所在岗位。"),
    "frontline": ("一线职工", "是否一线职工，选择“是”或“否”。"),
}
TEMPLATE_ACHIEVEMENT_HINTS: dict[str, tuple[str, str]] = {
    "name": ("成果名称", "每项成果填一行。"),
    "kind": ("类型", "如 技术攻关、技术革新、发明专利、实用新型专利、合理化建议、先进操作法。"),
    "level": ("认定级别", "如 国家级、省级、市级、区级、企业级。"),
    "recognised_on": ("认定时间", "填写到年月，如 2022年3月。"),
    "recognised_by": ("认定单位", "填写认定或授权单位全称。"),
    "benefit": ("经济效益", "只填数字（万元）；没有的可不填。"),
}
TEMPLATE_ERROR_TITLE = "输入有误"
TEMPLATE_ERRORS: dict[str, str] = {
    "list": "请从下拉列表中选择：{choices}",
    "rank": "推荐排序须为1至{max_rank}的整数",
    "int": "请只填写0或正整数，不要加单位",
    "float": "请只填写不小于0的数字，不要加单位",
}

# ---------------------------------------------------------------------------- intake
INTAKE_MESSAGES = {"inbox_missing": "收件目录不存在：{path}（请检查 --workdir 或路径）",
                   "narrative_missing": "推荐表中没有“{label}”一栏",
                   "narrative_empty": "推荐表“{label}”未填写",
                   "empty_table": "此表只有表头，没有填写任何推荐对象",
                   "unlabelled_column": "此列没有表头，其中的内容（如“{value}”）未读取；请补上表头或删去",
                   "unlabelled_more": "（右侧另有 {n} 列同样没有表头）",
                   "category_from_sheet": "表中没有“推荐类别”列，已按{where}“{text}”读作该类别，请核实",
                   "category_from_section": "“{text}”是分类标题行，不是推荐对象；其下未填推荐类别的各行（至下一个分类标题行）按“{category}”读取，请核实",
                   "sheet_name": "工作表名", "title_line": "表头上方的标题",
                   "hidden_row": "此行在工作表中被隐藏，已作为推荐对象读取；若已撤回推荐，请删除此行后重新报送",
                   "hidden_column": "此列在工作表中被隐藏，已读取其内容；打印或查看时看不到，若不应报送，请删除此列后重新报送",
                   "repeated_column": "“{text}”列与 {first} 列重复，只读取了 {first} 列，此列未读取；请删去一列",
                   "summary_resubmitted": "与本单位的另一份汇总表“{other}”有 {n} 个相同的推荐对象，疑为重复报送或修改版；请确认以哪一份为准，另一份移出收件目录后重新读取",
                   "file_copy": "与“{other}”内容完全相同（同一文件报送了两份），只读取了“{other}”，此份未重复读取",
                   "form_by_content": "文件名中没有“推荐表”，按其内容（有“推荐表”工作表）作为推荐表读取；建议按通知命名为“工作室名称推荐表”",
                   "error_value": "单元格是错误值“{value}”（多为公式或查找出错后粘贴的结果），未读取，请填写正确的值",
                   "form_studio_missing": "推荐表中未找到“工作室名称”，已按文件名与汇总表的“{studio}”对应；请在推荐表中填写工作室名称",
                   "recommender_from_folder": "表中未写推荐单位（没有“推荐单位”列，表头上方也未填写），已按报送文件夹计为“{folder}”；请核实",
                   "recommender_unknown": "表中未写推荐单位（没有“推荐单位”列，表头上方也未填写），文件也不在某单位的文件夹中，推荐单位不明；请补填",
                   "category_other_level": "推荐类别“{value}”是其他级别的称号，本次推荐的是无锡市级（示范性/劳模/职工），未读取；请核实推荐类别",
                   "same_as_above": "填写的是“{value}”，已按上一行（第{row}行）此栏的内容读取；公示名单须逐行写全，请填写完整内容",
                   "same_as_above_blank": "填写的是“{value}”，但上一行没有可参照的内容，未读取；请填写完整内容",
                   "repeated_header": "此行重复了表头（可能粘贴了第二张表），未作为推荐对象读取",
                   "row_after_end": "此行在“{end}”之后，仍已读取；请核实是否为有效推荐（无效的请删除）",
                   "frontline_exceeds_team": "一线职工人数（{frontline}人）多于团队人数（{team}人），至少一项填错，请核实",
                   "named_before_established": "命名时间（{named}）早于成立时间（{established}），至少一项填错，请核实",
                   "several_leaders": "每个工作室只有一位领衔人，此栏填写的是“{value}”；请只填写领衔人姓名，其他成员填在推荐表团队成员中",
                   "leader_annotated": "此栏只填领衔人姓名，另写有“{note}”；荣誉称号请填在“领衔人荣誉称号”一栏",
                   "leader_with_number": "此栏只填领衔人姓名，另写有号码“{number}”；请删去号码，并核实姓名",
                   "leader_spaced": "此栏填写的“{value}”像是空格隔开的两个人的姓名；每个工作室只有一位领衔人，请核实",
                   "value_annotated": "已按括号前的“{value}”读取，括号中的说明“{note}”未读取；请核实，说明可写在备注栏",
                   "ambiguous_month": "单元格是数字 {value}：Excel 把 {year}.10 也存成 {year}.1，是1月还是10月无法确定，只按{year}年读取；请核实月份，按文本填写（如 {year}年10月）",
                   "recommender_not_folder": "表中填写的推荐单位“{recommender}”与报送文件夹“{folder}”不一致（可能沿用了其他单位的表格，或文件放错了文件夹）；已按“{recommender}”计入名额，请核实",
                   "form_category_differs": "推荐表写的是“{form}”，汇总表推荐类别为“{summary}”；请核实推荐类别，或换用该类别的推荐表（附件2、3、4）",
                   "studio_unit_swapped": "“工作室名称”填的是“{studio}”，“所在单位”填的是“{unit}”，两栏疑似填反，请核实",
                   "not_registered": "收件登记中没有此文件，收件时间暂按表中填报日期计，请补登收件时间",
                   "receipt_without_file": "收件登记中的“{file}”在收件目录中找不到（可能改了名、放错了文件夹或未保存），此条收件时间未用上",
                   "implausible_birth": "出生年月 {born:%Y年%m月}：按本轮基准日不在 {low}–{high} 岁之间，请核实",
                   "duplicate_member": "“{name}”在团队成员中重复列出（同名、同出生年月，另见第{first}行），团队人数会多算",
                   "future_recognition": "认定时间 {date:%Y年%m月%d日} 晚于本轮基准日 {reference:%Y年%m月%d日}，不计入近一年成果，请核实",
                   "table_missing": "推荐表中没有“{table}”表，无法与汇总表核对；请按附件补上",
                   "form_other_studio": "工作表“{sheet}”是另一个工作室（{other}）的推荐表，未读取（本文件按“{studio}”的推荐表读取）；请每个工作室单独报送一个推荐表文件",
                   "header_unit_mismatch": "表头“{text}”的单位是{unit}，本栏应以{expected}填写；此列数值是否已换算无法确定，未读取，请以{expected}填写并恢复表头后重新报送"}
# Files in an inbox that are not read, and why (workbench/intake/files.py); the code is the key.
INBOX_FILE_MESSAGES: dict[str, str] = {
    "symlink_outside": "此链接指向收件目录以外的位置，未读取；请直接报送文件本身",
    "symlink_inside": "此文件夹链接指向收件目录内的其他位置，未重复读取",
    "system_file": "“{name}”是操作系统生成的文件（不是报送材料），未读取",
    "archive_not_read": "压缩包未读取{contents}；请解压后将文件放入本单位文件夹重新报送",
    "archive_contents": "（内有 {n} 个文件，其中工作簿 {books} 个、照片 {photos} 张）",
    "document_not_read": "“{name}”是Word或WPS文字文档，未读取；汇总表和推荐表请按通知附件的Excel格式报送（文字版可作为纸质材料的电子版另附）",
    "file_not_read": "“{name}”不是Excel工作簿、CSV或照片，未读取",
    "lock_file": "“{name}”是Excel打开文件时生成的临时锁定文件，已忽略",
    "lock_file_only": "只收到Excel临时锁定文件“{name}”（打开文件时自动生成），没有收到工作簿本身；请关闭Excel后重新报送原文件",
}
# Messages about a workbook as a whole or one of its sheets (workbench/intake/workbook.py).
WORKBOOK_MESSAGES: dict[str, str] = {
    "xls_renamed": "文件扩展名是 {suffix}，实际是旧版 .xls 格式，已按 .xls 读取；建议用Excel另存为 .xlsx 后报送",
    "wps_unreadable": "WPS表格文件（{suffix}）无法读取；请在WPS中另存为 .xlsx 后重新报送",
    "unreadable_file": "文件无法作为Excel工作簿读取（文件可能已损坏，或不是Excel格式）；请重新另存后报送",
    "no_worksheet": "工作簿中找不到任何工作表（文件可能已损坏，或只有图表页）；请重新另存后报送",
    "file_unopenable": "文件无法打开（可能正被占用或没有读取权限）",
    "csv_unreadable": "CSV文件无法读取（编码无法识别），请另存为 .xlsx 后重新报送",
    "csv_too_wide": "CSV文件第{row}行有 {columns} 列，超过Excel最多 {limit} 列，多为误加了大量逗号，未读取；请另存为 .xlsx 后重新报送",
    "hidden_sheet": "工作表“{sheet}”是隐藏的，未读取{rows}；如需报送，请取消隐藏后重新报送",
    "hidden_sheet_rows": "（其中有推荐汇总表表头，{n} 行内容）",
    "sheet_too_large": "有工作表的使用范围过大（{rows} 行 × {columns} 列），多为误在远处的单元格输入了内容，未读取；"
                       "请删除表格以外多余的行和列（或把表格复制到新工作簿）后重新报送",
}

# ---------------------------------------------------------------------------- intake report
PROBLEMS_TITLE = "报送材料问题清单"
PROBLEMS_NOTE = "“错误”须修改后重新报送；“提醒”请核实。单元格位置以原报送文件为准。"
PROBLEMS_NO_UNION = "未归属单位"  # problems of no union's files: the receipt register, a file at the inbox's top

# ---------------------------------------------------------------------------- export and notice (workbench/export.py, workbench/notice.py)
# File names (without suffix) of what `export_results` writes; CSV twins go to a subfolder.
EXPORT_FILES: dict[str, str] = {**EXPORT_TITLES, "public": "公示名单", "named": "命名名单", "subsidy": "补贴经费表"}
EXPORT_CSV_DIR = "csv"
BOOL_CELL: dict[bool, str] = {True: "是", False: ""}  # how a yes/no column shows in a cell
EXPORT_SHEETS: dict[str, str] = {
    "by_category": "按类别汇总", "by_union": "按推荐单位汇总", "rules": "审查规则", "diagnostics": "排名诊断",
    "provenance": "数据来源", "notice": "公示", "summary": "汇总",
}
# Headers of export-only columns.
EXPORT_COLUMNS: dict[str, str] = {
    "seq": "序号", "category_short": "类别", "override": "改判及理由", "notes": "审查意见",
    "outcome": "审查结论", "nominated": "推荐数", "eligible": "合格", "ineligible": "不合格", "review": "待核实",
    "over_quota": "超出名额", "to_review": "进入评审", "overridden": "改判数", "group": "推荐单位",
    "subsidy": "补贴金额（元）", "standard": "补贴标准（元/家）", "named": "命名数", "item": "项目", "value": "内容",
    "rule_label": "审查项", "rule_text": "通知中的条件", "rule_categories": "适用类别", "remark": "备注",
    "completeness": "说明",
}
# The notice's conditions (workbench/screening.py RULES), worded with this round's figures from the
# config: the placeholders are filled by screening.rule_label for each category the rule binds.
RULE_LABELS: dict[str, str] = {
    "legal_person": "所在单位须具有法人资格",
    "union_sound": "所在单位工会组织健全",
    "not_rnd_or_team": "企事业单位原有建制的专门研发机构和班组等不在推荐之列",
    "on_time": "请于{deadline}{time}前将材料报{organiser}",
    "not_already_named": "已命名的同级工作室不重复命名",
    "no_duplicate": "同一工作室只能由一个单位推荐一次",
    "party_building": "党建引领：设有劳模党支部、党小组或党员先锋岗",
    "leader_honour": "领衔人为{honours}",
    "team_size": "团队成员不少于{min_team}人",
    "frontline": "有一线职工参与（不少于{min_frontline}人）",
    "site": "有固定办公活动场所",
    "systems": "运行制度健全",
    "funding": "所在单位在经费上能保证创新工作室活动开展",
    "running": "已有效运行{min_running_years}年以上",
    "ledger": "台账详实",
    "results": "每年{min_results_per_year}个以上（含{min_results_per_year}个）创新课题或攻关项目获得认定",
    "named_years": "被命名为{named_label}时间满{min_named_years}年以上（特别优秀的可直接推荐）",
    "video": "有能反映工作室特点和成果的宣传视频（短片）",
    "site_visit": "实地考察核实：{site_conditions}",
    "paper_copies": "纸质材料均为一式{copies}份",
    "paper_bound": "工作室规章制度、工作业绩和创新成果证明材料等装订成册",
    "paper_sealed": "推荐材料加盖所在单位和推荐单位公章",
    "party_consent": "所在单位工会在征得单位党政组织同意后提出申请",
}
RULE_LABEL_PARTS: dict = {
    "honour": "{level}（含）以上{kind}",
    "or": "或",
    "levels": {4: "国家级", 3: "省级", 2: "市级", 1: "县（市、区）级", 0: "企业级"},
    "kinds": {"labor_model": "劳动模范", "may_day": "五一劳动奖章获得者", "skill_leader": "职业技能带头人",
              "innovation_expert": "职工技术创新能手", "craftsman": "工匠", "other": "其他荣誉获得者"},
    "exception": "{category}：{text}",
    "brackets": "（{text}）",
}
# Short headers of the screening rules (workbench/screening.py RULES), one narrow column each.
RULE_HEADERS: dict[str, str] = {
    "legal_person": "法人资格", "union_sound": "工会健全", "not_rnd_or_team": "非研发机构班组",
    "on_time": "按时报送", "not_already_named": "未重复命名", "no_duplicate": "未重复推荐",
    "party_building": "党建引领", "leader_honour": "领衔人荣誉", "team_size": "团队人数", "frontline": "一线职工",
    "site": "固定场所", "systems": "制度健全", "funding": "经费保障", "running": "运行年限", "ledger": "台账详实",
    "results": "创新成果", "named_years": "命名年限", "video": "宣传视频",
    "site_visit": "实地考察",
    "paper_copies": "纸质份数", "paper_bound": "装订成册", "paper_sealed": "盖章", "party_consent": "党政同意",
}
OUTCOME: dict[str, str] = {"to_review": "进入评审", "excluded": "不进入评审", "pending": "待核实"}
EXPORT_TEXT: dict[str, str] = {
    "screening_title": "{label}资格审查情况表",
    "screening_note": "{legend}。审查结论按改判后的结果；改判须有书面理由。",
    "legend_item": "{symbol} {word}",
    "by_category_title": "资格审查情况汇总（按类别）",
    "by_union_title": "资格审查情况汇总（按推荐单位）",
    "rules_title": "资格审查项目及依据",
    "summary_note": "{name}。汇总按改判后的结论统计。",
    "total": "合计",
    "diagnostics_title": "排名诊断",
    "provenance_title": "数据来源",
    "provenance_note": "同一数据快照、同一配置导出的文件内容相同。",
    "proposed_title": "{what}拟命名名单",
    "proposed_note": "拟命名{n}家（名额{slots}家），按综合得分排序。",
    "public_list_title": "{what}拟命名名单",
    "named_title": "{what}命名名单",
    "named_summary_title": "命名名单汇总（按推荐单位）",
    "named_group": "{recommender}（{n}个）",
    "named_total": "合计{n}个",
    "subsidy_title": "{what}一次性补贴经费表",
    "subsidy_summary_title": "一次性补贴经费汇总表",
    "subsidy_sample_note": "补贴标准为示例数值，正式使用前须按规定核定。",
    "sample_remark": "示例数值",
    "list_note": "依据主席办公会审定结果（审定通过{n}家）。",
    "creator": "创新工作室评审工作台",
    "ranking_title": "{label}评审结果排名表",
    "ranking_note": "{name}。拟命名{slots}家，参评{n}家；综合得分 = {formula}；{method}；红线以上为拟命名",
    "stage_weight": "{stage}×{weight:g}",
    "stage_score": "{stage}得分",
    "stage_reviewers": "{stage}评委数",
    "criterion_score": "{criterion}分项得分",
    "unknown_category": "类别不明",
}
# How each stage's scores are combined (config ranking.aggregation), said on the ranking sheets.
AGGREGATION_NOTE: dict[str, str] = {
    "olympic": "各阶段评委不少于{trim_min}人时去掉一个最高分和一个最低分后取平均",
    "mean": "各阶段取评委评分的算术平均",
    "median": "各阶段取评委评分的中位数",
}
PROVENANCE: dict[str, str] = {
    "round": "评审轮次",
    "config": "配置文件",
    "config_sha256": "配置文件 SHA-256",
    "snapshot": "数据快照编号",
    "decision_snapshots": "审定所依据的数据快照",
    "package": "软件版本：{name}",
    "file": "输入文件：{file}",
    "files_none": "输入文件",
    "none": "（未提供）",
}
EXPORT_MESSAGES: dict[str, str] = {
    "unknown_decision": "审定记录中的编号不在本轮推荐名单中：{ids}",
    "missing_columns": "{what}缺少列：{missing}",
    "incomplete": ("审定尚未完成，公示名单、命名名单、补贴经费表和公示、命名通知均未生成：{details}。"
                   "资格审查情况表、评审结果排名表、拟命名名单已导出到 {out}。如确需先行导出，请加 --allow-incomplete --reason 理由，"
                   "文件中将注明名单不完整"),
    "reason_required": "--allow-incomplete 须同时用 --reason 写明理由（将写入导出的文件）",
}
EXPORT_WHAT: dict[str, str] = {"ranked": "排名表", "screened": "资格审查结果", "decisions": "审定记录",
                               "overrides": "改判记录"}
# Chinese numbers and dates.
CN_DIGITS = "〇一二三四五六七八九十"
CN_COUNT: dict[int, str] = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}  # 一式两份
DATE_CN = "{y}年{m}月{d}日"
DATE_AT_PRECISION = {"year": "%Y年", "month": "%Y年%m月", "day": "%Y年%m月%d日"}  # a date as far as it was written (strftime)
WEEKDAYS = "一二三四五六日"
WEEKDAY_CN = "（星期{}）"
AND = "和"
BATCH_LABEL = "第{batch}批{label}"
# The public notice (公示): pieces shared by its documents.
NOTICE_TEXT: dict[str, str] = {  # pieces of the 公示 and 命名通知 wording (workbench/documents.py)
    "named_many": "{first}等{n}个工作室为{what}",
    "named_one": "{first}为{what}",
    "nobody": "（尚无审定通过的对象）",
    "date_unset": "　　年　　月　　日",
}
CALENDAR_MESSAGES: dict[str, str] = {
    "unknown_year": ("{year}年的工作日安排未知：chinesecalendar 只含 {first}–{last} 年，工作日调整表（{table}）中也没有"
                     "{year}年的记录。请按国务院办公厅当年的节假日安排通知，在调整表中补录法定节假日和调休上班日"),
    "bad_workdays": "公示工作日数须为正整数（当前值：{value!r}）",
    "bad_start": "公示开始日期须为日期，例如 2022-12-29（当前值：{value!r}）",
    "no_workdays": "自 {start} 起 {days} 天内没有足够的工作日，请检查工作日调整表",
    "table_unreadable": "工作日调整表 {table} 无法读取：{why}",
    "table_columns": "工作日调整表 {table} 缺少列：{missing}（须有 date、kind）",
    "table_row": "工作日调整表 {table} 第 {row} 行有误：日期 {date!r} 须为 YYYY-MM-DD，类型 {kind!r} 须为 workday 或 holiday",
}
CALENDAR_GIVEN_TABLE = "调用时给出的调整表"

# ---------------------------------------------------------------------------- diagnostics (workbench/diagnostics.py)
# Messages for bad input to the diagnostics; "{…}" filled in by the module, the English code follows in [ ].
DIAGNOSTIC_MESSAGES: dict[str, str] = {
    "missing_columns": "评分汇总表缺少列：{columns}（须有 candidate、reviewer、score）",
    "bad_score": "评分汇总表中有无法识别为数字的分数：{examples}",
    "duplicate_sheets": "同一评委对同一工作室（同一阶段）有多条评分：{examples}",
    "no_category": "排名诊断需要 category 列（工作室所属类别）",
    "unknown_category": "未知的类别 {category!r}（可用：{known}）",
    "unknown_stage": "未知的评审阶段 {stage!r}（可用：{known}）",
    "two_categories": "同一工作室出现在多个类别中：{examples}",
    "bad_by": "reliability 的分组列须为 category、stage 之一或两者（当前：{by}）",
    "disconnected": "{panel}：评委与工作室分成 {components} 个互不相连的组，组间的评委宽严校正分不可比较",
}
# Aggregation rules shown side by side (shadow scores).
SHADOW_METHODS: dict[str, str] = {
    "official": "正式得分", "mean": "算术平均", "median": "中位数", "adjusted": "评委宽严校正", "z": "评委标准分",
}
REVIEWER_FLAGS: dict[str, str] = {
    "lenient": "打分偏宽", "severe": "打分偏严", "disagreeing": "与其他评委的排序不一致",
    "restricted": "打分区间过窄", "noisy": "打分波动大", "degenerate": "所有分数相同",
}
SCORE_FLAGS: dict[str, str] = {
    "high": "比其他评委平均高 {deviation:.1f} 分", "low": "比其他评委平均低 {deviation:.1f} 分",
}
BANDS: dict[str, str] = {"in": "稳定入选", "borderline": "边缘", "out": "稳定落选", "unscored": "尚无完整评分"}
BORDERLINE_REASONS: dict[str, str] = {
    "p_top": "进入前{slots}名的概率为{p:.0%}",
    "loro": "去掉{n}位评委中任一位，进出拟命名线即改变",
    "tie_at_cut": "综合得分与拟命名线另一侧的工作室相同",
    "shadow": "按{methods}计算时进出不同",
}
RELIABILITY_WORDS: dict[str, str] = {
    "low": "单个工作室平均分的信度 {icck:.2f} 低于 {minimum:.2f}：排名主要由评分误差决定，建议增加评委（约需 {k} 人）",
    "ok": "单个工作室平均分的信度 {icck:.2f}",
}
# Column headers of the diagnostics frames (notebook, exports).
DIAGNOSTIC_COLUMNS: dict[str, str] = {
    "candidate": "编号", "reviewer": "评委", "category": "类别", "stage": "阶段", "score": "评分",
    "official": "正式得分", "mean": "算术平均", "median": "中位数", "adjusted": "宽严校正分", "z": "标准分",
    "rank": "排名", "rank_low": "排名区间下限", "rank_high": "排名区间上限", "rank_median": "排名中位数",
    "p_top": "进入拟命名线的概率", "band": "分档", "reasons": "原因", "offset": "宽严偏移",
    "icc1": "单次评分信度 ICC(1,1)", "icck": "平均分信度 ICC(1,k)", "alpha": "Krippendorff α",
    "kendall_w": "Kendall W", "flags": "提示",
    "slots": "拟命名名额", "in_top": "现排名在拟命名线内", "loro_flips": "去掉一位评委即改变进出的情形数",
    "shadow_flips": "按其他计分方法进出改变", "tied_at_cut": "在拟命名线处并列",
}

# ---------------------------------------------------------------------------- review: access codes, conflicts, stages, scoring app, progress
# (workbench/store.py, workbench/scoring.py, workbench/progress.py, the `workbench reviewers` commands; issue 5)
STORE_MESSAGES.update({
    "code_wrong": "访问码不正确，请核对后重新输入（区分不了的字符请向工作人员确认）",
    "code_revoked": "此访问码已停用，请向工作人员领取新的访问码",
    "login_locked": "访问码错误次数过多，已暂停登录 {minutes} 分钟，请稍后再试或联系工作人员",
    "session_ended": "您登录所用的访问码已停用，本次登录已结束；请向工作人员领取新的访问码",
    "no_active_code": "评委 {reviewer_id} 目前没有有效的访问码",
    "stage_closed": "{stage}已结束，评分不能再修改",
    "conflict_scored": "评委 {reviewer_id} 已为 {nomination_id} 保存过评分，不能再申报回避；请提交主席办公会处理",
})
# The scoring app (workbench/scoring.py): what a reviewer reads.
SCORING: dict[str, str] = {
    "title": "创新工作室评审 · 评委评分",
    "login_intro": "请输入工作人员发给您的个人访问码（12 位，字母不分大小写）。",
    "code": "访问码",
    "code_placeholder": "例如 7KQM-2XHD-R9TB",
    "login": "登录",
    "logout": "退出",
    "logged_out": "已退出。",
    "welcome": "{name} 评委（{reviewer_id}）",
    "progress": "{stage}：已提交 {submitted} / {total}",
    "list_label": "{status} · {studio}",
    "list_label_total": "{status} {total:g} · {studio}",
    "no_candidates": "目前没有分配给您的评审对象。如有疑问，请联系工作人员。",
    "pick": "请在左侧选择一个评审对象。",
    "form": "评分",
    "criterion": "{label}（0–{max:g}）",
    "placeholder": "0–{max:g}",
    "total": "合计 <b>{total:g}</b> 分（满分 {full:g}）· 已填 {filled}/{n} 项",
    "comment": "评语",
    "comment_rule": "总分低于 {below:g} 分或高于 {above:g} 分时，提交须填写评语。",
    "comment_needed": "当前总分 {total:g} 分，提交前须填写评语。",
    "submit": "提交",
    "reload": "重新载入",
    "saved_draft": "草稿已自动保存（{at}）",
    "saved_submitted": "已提交的评分已更新（{at}）",
    "submitted": "已提交（{at}）。提交后在本阶段结束前仍可修改。",
    "not_saved": "尚未保存：{problems}",
    "submitted_kept": "修改尚未保存，已提交的评分保持不变：{problems}",
    "stale": "此评分表已在别处（另一窗口或设备）修改，您的这次修改没有保存，也没有覆盖别处的评分。请点击“重新载入”查看最新评分后再修改。 [stale_write]",
    "closed": "{stage}已结束，评分只能查看，不能修改。",
    "refused": "无法打开该评审对象。 [not_assigned]",
    "error": "操作没有完成，请刷新页面后重试；如仍有问题，请联系工作人员。",
    "status_none": "未评",
    "status_draft": "草稿",
    "status_submitted": "已提交",
    "yes": "是",
    "no": "否",
    "unknown": "—",
    "code_empty": "请先输入访问码，再按回车键或点击“登录”。",
    "basis": "【依据{basis}】",
    "basis_material": "材料",
    "basis_site": "实地",
    "total_invalid": "未计入合计（填写有误）：{names}",
    "edit_submitted": "修改已提交的评分",
    "submitted_locked": "此评分表已提交。如需修改，请点击下方“修改已提交的评分”。",
    "editing_submitted": "您正在修改已提交的评分：修改会自动保存，评分表仍为“已提交”状态，无须再次提交。",
}
# Card fields: the nomination facts a reviewer sees (never contact or phone), in this order.

# The progress dashboard (workbench/progress.py, dashboards/progress.ipynb): what the analyst reads.
PROGRESS: dict[str, str] = {
    "title": "评审进度",
    "refresh": "刷新",
    "data_time": "数据时间",
    "overall": "{stage}：应交 {expected} 份，已提交 {submitted} 份，草稿 {draft} 份，未评 {none} 份",
    "closed": "（已结束）",
    "by_reviewer": "按评委",
    "by_candidate": "按评审对象",
    "all_done": "全部已提交",
    "empty": "评分库中还没有分配方案。请先导入评委名单并分配评审对象（workbench reviewers assign）。",
    "load_failed": "评分库读取失败，请检查后点击“刷新”。",
    "under_assigned": "评委不足",
}
PROGRESS_COLUMNS: dict[str, str] = {
    "reviewer_id": "评委编号", "name": "姓名", "stage": "阶段", "assigned": "分配", "submitted": "已提交",
    "draft": "草稿", "none": "未评", "missing": "未提交的评审对象", "has_code": "已发访问码", "pledged": "保密承诺", "last_saved": "最近保存",
    "nomination_id": "编号", "studio": "工作室", "category": "类别", "needed": "至少需要", "short": "尚缺",
    "missing_reviewers": "未提交的评委", "complete": "评分齐全", "under_assigned": "提醒",
}

# The `workbench reviewers` commands (workbench/cli.py).
REVIEWERS_CLI: dict[str, str] = {
    "imported": "已导入评委 {n} 名（{path}）",
    "codes_none": "没有需要发放访问码的评委（已发放的访问码仍然有效；要重新发放，请用 --reviewer 指定评委）。",
    "codes_shown_once": "以上访问码只显示这一次，库中只保存其加密摘要。请逐一告知评委本人，妥善保管。",
    "codes_written": "已为 {n} 名评委生成访问码，写入 {path}（只此一份：请分发后删除该文件）。",
    "revoked": "评委 {reviewer_id} 的访问码已停用。",
    "assigned": "分配方案已保存：{pairs} 个评委–评审对象组合，评审对象 {candidates} 个，评委 {reviewers} 名。",
    "plan_missing_columns": "分配方案 {path} 缺少列：{missing}（须有 评审对象编号/nomination_id、评委编号/reviewer_id、阶段/stage）",
    "closed": "{stage}已结束：评委不能再修改该阶段的评分。",
    "reopened": "{stage}已重新开放。",
    "under_assigned": "{studio}（{nomination_id}）{stage}现只分配了 {assigned} 名评委，少于要求的 {needed} 名，"
                      "请补充分配（workbench reviewers assign --add 或导入分配表）。",
}
PLAN_HEADERS: dict[str, list[str]] = {  # headers accepted in a hand-made assignment CSV
    "nomination_id": ["nomination_id", "编号", "推荐编号", "评审对象编号"],
    "reviewer_id": ["reviewer_id", "评委编号", "评委"],
    "stage": ["stage", "阶段", "评审阶段"],
}

# ---------------------------------------------------------------------------- command line
CLI = {
    "warning": "提示：",
    "no_approvals": "会议尚未记录“通过”的决定，公示名单、命名名单、补贴经费表暂未生成。",
    "override_saved": "已记录对 {nomination_id} 的改判（含理由、改判人、时间）。",
    "decided": "已记录：{studio} —— {decision}（第 {version} 版，依据数据快照 {snapshot}）。",
    "decide_tally": "{category}：名额 {slots} · 通过 {approve} · 不通过 {reject} · 暂缓 {defer} · 尚缺名额 {open}",
    "decide_stale_hint": "。确认要改为本次审定，请加 --version {version} 重新执行",
}

# ---------------------------------------------------------------------------- the expert panel (workbench/panel.py)
PANEL_MESSAGES: dict[str, str] = {
    "panel_short": "{category}：可抽取的专家只有 {eligible} 名（专家库 {pool} 名，其中 {excluded} 名回避对象过多），不足 {size} 名，请扩充专家库",
    "unknown_category": "未知的类别 {category!r}（可用：{known}）",
    "chain_broken": "与上一条抽取记录的链接不符（记录被删除或插入）",
    "hash_mismatch": "记录内容与其摘要不符（记录被改动）",
    "rerun_differs": "按记录的种子和输入重新抽取，结果不同",
    "no_draws": "尚无抽取记录",
    "no_panel": "尚未抽取评审专家，请先运行 workbench reviewers draw",
    "not_a_member": "{reviewer_id} 不是{category}评审组的现任成员",
    "member_of_several": "{reviewer_id} 同时在多个评审组（{category}），请用 --category 指明替换哪一组",
    "no_reserve": "{category}评审组的候补专家已全部递补，请重新抽取",
    "replace_reason": "递补须写明原因（如：因故不能参加、申报回避）",
}
PANEL_ROLES: dict[str, str] = {"member": "成员", "reserve": "候补{n}", "out": "已替换"}
PANEL_COLUMNS: dict[str, str] = {"category": "类别", "role": "身份", "reviewer_id": "评委编号", "name": "姓名",
                                 "unit": "工作单位", "field": "专业领域"}
PANEL_CLI: dict[str, str] = {
    "drawn": "{category}：抽取专家 {members} 名，候补 {reserves} 名；因回避对象过多未参加抽取 {excluded} 名（记录 #{id}）",
    "seed": "随机种子：{seed}（请当场公布并记入监督记录；任何人都可用 workbench reviewers draw --verify 复核）",
    "hash": "抽取记录摘要：{hash}",
    "verified": "抽取记录共 {n} 条，全部核验通过：记录未被改动，按记录的种子重新抽取结果相同。",
    "verify_failed": "抽取记录核验未通过：{n} 条有问题 [draw_log_invalid]",
    "pledged": "已记录评委 {reviewer_id} 的保密承诺和回避声明（{method}，{by}）。",
    "pledged_already": "评委 {reviewer_id} 已签署过保密承诺，未重复记录。",
    "pledge_summary": "已签署保密承诺 {done} 名，未签署 {missing} 名。",
    "sheets_written": "已生成 {n} 份纸质评分表：{path}",
    "sheets_pdf": "PDF 版本：{n} 份",
    "sheets_no_pdf": "未找到 LibreOffice（soffice），只生成了 xlsx。",
    "plan_written": "分配方案表：{path}",
    "import_problems": "第 {entry} 遍录入发现 {n} 处问题（这些评分未录入）：",
    "import_saved": "第 {entry} 遍录入：{n} 份评分表已暂存，等待另一遍录入核对。",
    "import_pending": "尚缺另一遍录入的评分表 {n} 份。",
    "import_differences": "两遍录入不一致 {n} 处（这些评分表未入库，请核对原件后重新录入）：",
    "import_stored": "两遍录入一致，已入库 {n} 份评分表。",
    "visit_saved": "已记录 {nomination_id} 的实地考察（{date}，{inspectors}）：核实 {ok} 项，未核实 {no} 项，未查 {unchecked} 项。",
    "no_visits": "尚无实地考察记录。",
}
PLAN_WORKBOOK: dict[str, str] = {
    "title": "评审分配方案",
    "by_reviewer": "按评委",
    "by_candidate": "按评审对象",
    "note": "内部工作用表，请勿外传。评委不得评审须回避的对象；如需调整，请在工作台中修改后重新导出。",
}
PLAN_COLUMNS: dict[str, str] = {
    "reviewer_id": "评委编号", "name": "评委", "unit": "工作单位", "stage_label": "阶段", "seq": "序号",
    "nomination_id": "编号", "category": "类别", "studio": "工作室", "host_unit": "所在单位", "recommender": "推荐单位",
    "n": "评委人数", "reviewers": "评委",
}

# ---------------------------------------------------------------------------- paper score sheets (workbench/paper.py)
PAPER_SHEET: dict[str, str] = {
    "title": "评分表（{stage}）",
    "who": "评审类别：{category}        评委：{name}（{reviewer_id}）",
    "seq": "序号", "nomination_id": "编号", "studio": "工作室", "total": "合计", "comment": "评语",
    "guide_title": "评分细则",
    "rules": "说明：每项分值不超过该项满分，可精确到 {step:g} 分；合计低于 {below:g} 分或高于 {above:g} 分的须填写评语。"
             "与评审对象有回避关系的，不得评分，请向工作人员申报。本表须保密，评审结束后交回。",
    "signature": "评委签名：________________          日期：______年____月____日",
    "header": "评委 {reviewer_id}　保密",
    "file": "评分表_{reviewer_id}_{name}_{stage}.xlsx",
    "actor": "{actor}（纸质评分表录入）",
}
PAPER_MESSAGES: dict[str, str] = {
    "unknown_stage": "未知的评审阶段 {stage!r}（可用：{known}）",
    "unknown_reviewer": "评分库中没有编号为 {reviewer_id} 的评委",
    "paper_unreadable": "纸质评分表 {path} 无法读取：{why}",
    "paper_not_a_sheet": "{path} 不是工作台生成的纸质评分表（缺少评委和阶段信息），请用 workbench reviewers sheets 生成的表格录入",
    "unknown_nomination": "编号 {nomination_id} 不在推荐名单中",
    "missing": "{where}：{label} 未填写",
    "not_a_number": "{where}：{label} 须为数字（当前值：{typed}）",
    "paper_already_scored": "评委 {reviewer_id} 对 {nomination_id} 的评分已在库中且与本次录入不同，未覆盖；如需更正请由评委在评分系统中修改",
}
PAPER_PROBLEM_COLUMNS: dict[str, str] = {"file": "文件", "sheet": "工作表", "cell": "单元格", "nomination_id": "编号",
                                         "field": "项目", "value": "录入值", "code": "代码", "message": "说明"}
PAPER_DIFF_COLUMNS: dict[str, str] = {"reviewer_id": "评委编号", "nomination_id": "编号", "stage": "阶段", "field": "项目",
                                      "cell_1": "第1遍单元格", "value_1": "第1遍", "cell_2": "第2遍单元格", "value_2": "第2遍"}

# ---------------------------------------------------------------------------- site visits (workbench/visits.py)
VISIT_TEXT: dict[str, str] = {
    "evidence": "实地考察记录（{date}，考察人：{inspectors}）",
    "fail": "{evidence}未核实：{items}",
    "review": "{evidence}未核查：{items}",
    "pass": "{evidence}：{n} 项全部核实",
    "nomination_id": "编号", "studio": "工作室", "date": "考察日期", "inspectors": "考察人", "photos": "照片（张）",
}
VISIT_MESSAGES: dict[str, str] = {
    "unknown_condition": "{value!r} 不是实地考察的核查项（可用：{known}）",
    "condition_twice": "核查项 {value} 填写了两次",
    "bad_date": "考察日期 {value!r} 无法识别（例如 2022-11-10）",
    "photo_missing": "找不到照片 {value}",
}
PANEL_CLI.update({
    "replaced": "{category}评审组：{out} 由候补 {new} 递补（{reason}；记录 #{id}）。",
    "replaced_assign": "尚未分配评审任务：分配时将按递补后的名单进行（workbench reviewers assign）。",
    "handed_over": "{out} 尚未评分的 {n} 项评审任务已转给 {new}；其他评委的分配不变。",
    "code_revoked": "{out} 的访问码已停用。",
    "not_handed_over": "{new} 须回避 {nomination_id}（{stage}），该项未转交，请另行补充分配（workbench reviewers assign --add 或导入分配表）。",
    "pledge_paper_only": "评委本人在评分系统中确认保密承诺；此处只登记已签署的纸质承诺书，请加 --paper --by 登记人",
    "sheets_folder": "纸质评分表",
})
PLEDGE_METHODS: dict[str, str] = {"app": "评分系统确认", "paper": "纸质承诺书"}
PLEDGE_COLUMNS: dict[str, str] = {"reviewer_id": "评委编号", "name": "姓名", "pledged": "保密承诺", "method": "方式",
                                  "pledged_at": "登记时间", "recorded_by": "登记人", "signed_on": "签署日期"}
DRAW_VERIFY_COLUMNS: dict[str, str] = {"id": "记录", "category": "类别", "seed": "种子", "chain_ok": "摘要链",
                                       "rerun_ok": "重新抽取", "problem": "问题"}
PLEDGE_STATUS: dict[bool, str] = {True: "已签署", False: "未签署"}
PLEDGE_FORM: dict[str, str] = {
    "title": "评审专家保密承诺书及回避声明",
    "recuse_intro": "以下是分配给您的评审对象。与其中任何一个有回避关系的，请勾选并简述理由；勾选后您将看不到该对象，也不能为其评分。",
    "reason_placeholder": "回避理由（如：近三年在该单位任职）",
    "agree": "本人已阅读以上承诺，自愿遵守，并已如实申报回避",
    "confirm": "确认承诺，开始评审",
    "must_agree": "请先勾选“本人已阅读以上承诺……”再确认。",
    "no_candidates": "目前还没有分配给您的评审对象。",
}

# ---------------------------------------------------------------------------- official documents (workbench/documents.py)
# The office-editable texts of the Word documents; written by `workbench templates` into the round's
# templates folder, and used as they are when the folder has no such file.
DOCUMENT_FILES: dict[str, str] = {"public": "公示", "naming": "命名通知", "outline": "推荐材料参考提纲"}
TEMPLATE_OUTLINE_FILE = "附件5 劳模、职工创新工作室推荐材料参考提纲.docx"
DOCUMENT_TEMPLATE_HELP = """\
# {name}的文字。版式（A4 纸、页边距、字体字号、行距、页码）由工作台按 GB/T 9704-2012 排定，这里只写文字。
# 以“#”开头的行是说明，不会出现在文件中；空行不计。
# 以“附件号：”“版头：”“发文字号：”“标题：”“主送：”“附件：”“署名：”“日期：”开头的行分别是附件顺序号（左上角）、
# 发文机关标志、发文字号、标题、主送机关、附件说明、发文机关署名、成文日期；“附件页：”另起一页，后面写附件标题；单独一行的 {{名单}} 处放入名单。
# “抄送：”“印发机关：”“印发日期：”三行组成版记，排在最后一页页脚之上（抄送为空时不印抄送行）。
# 其余每行为一段正文；以“一、”开头的行为一级标题（黑体），以“（一）”开头的行为二级标题（楷体）。
# 花括号中的名称由工作台按本轮配置和审定结果填写，可用：{fields}。
"""
DOCUMENT_TEMPLATES: dict[str, str] = {
    "public": """\
标题：关于{拟命名类别}拟命名对象的公示
根据{发文机关}《关于推荐申报{申报类别}的通知》要求，经各地区、各单位推荐，{发文机关}组织材料审核、实地考察，差额遴选，并经{发文机关}主席办公会审定，拟命名{命名概述}。现予以公示（名单附后）。
公示时间：{公示时间}（{工作日数}个工作日）。
公示媒体：{公示媒体}。
{异议方式}
受理部门：{受理部门}；联系电话：{联系电话}。
附件：{附件名称}
署名：{发文机关}
日期：{成文日期}
附件页：{附件名称}
{名单}
""",
    "naming": """\
版头：{发文机关标志}
发文字号：{发文字号}
标题：关于命名{命名类别}的通知
主送：各市（县）区、经开区总工会，各局（公司）、直属单位工会：
为深入推进新时期无锡产业工人队伍建设改革，进一步弘扬劳模精神、劳动精神、工匠精神，充分发挥劳模和工匠人才示范引领、创新攻关、人才培养等作用，{发文机关}组织开展了{申报批次}推荐工作。经各地区、各单位推荐，{发文机关}组织材料审核、实地考察、差额遴选，经{发文机关}主席办公会审定，并经公示（{公示时间}），决定命名{命名概述}，颁发牌匾，同时分别给予相应一次性补贴经费。
希望被命名的创新工作室珍惜荣誉，发挥示范引领、集智创新、协同攻关、传承技能、培育精神等作用，带动广大职工为全市高质量发展贡献力量。各级工会要加强对创新工作室的指导和服务，推动创新工作室规范运行、持续发展。
附件：{附件名称}
署名：{发文机关}
日期：{成文日期}
附件页：{附件名称}
{名单}
抄送：{抄送机关}
印发机关：{印发机关}
印发日期：{印发日期}
""",
}
DOCUMENT_TEMPLATES["outline"] = """\
附件号：附件5
标题：劳模、职工创新工作室推荐材料参考提纲
推荐材料由所在单位工会按本提纲编写，如实反映工作室情况，连同{申报类别}推荐表（附件2、3、4）、规章制度、工作业绩和创新成果证明材料装订成册，纸质材料一式两份，加盖所在单位和推荐单位公章，电子版一并报送。
一、基本情况
工作室名称、所在单位（是否具有法人资格，单位工会组织是否健全）、成立时间、有效运行时间，推荐类别；说明工作室不属于企事业单位原有建制的专门研发机构或班组。
二、领衔人情况
领衔人的专业特长、技能水平、管理经验和创新能力；获得的荣誉称号及授予机关、时间（劳模、五一劳动奖章、职业技能带头人、职工技术创新能手等），附证书复印件。推荐示范性劳模创新工作室的，说明领衔人在本行业、本专业或本领域的影响力，解决本单位关键技术问题、重难点问题的情况。
三、团队建设
团队成员人数、一线职工人数，专业技术结构、学历结构、年龄结构；团队的分工协作方式。
四、党建引领
设立劳模党支部、党小组或党员先锋岗的情况，开展“双创双提升”行动，发挥党支部战斗堡垒作用和党员先锋模范作用的情况（劳模创新工作室、示范性劳模创新工作室）。
五、场所、设施和制度
固定办公活动场所的面积和功能分区，设备设施，成果和荣誉展示；牌匾标识，团队介绍、工作职责、目标任务、管理办法上墙情况；活动开展、学习研究、技术攻关、成果转化、奖励激励、内部管理等制度（附制度文本）。
六、经费保障和运行情况
所在单位年度经费投入；技术培训、师徒结对、协作攻关、革新创造等活动的开展情况；工作计划、活动记录，成员台账、活动台账、成果台账。
七、创新成果和效益
近年在本单位、本系统立项并获得认定的创新课题或攻关项目（名称、认定级别、认定单位、认定时间），专利、先进操作法等成果，取得的经济效益和社会效益（附认定文件、证书等证明材料）。
八、示范引领作用
发挥示范引领、集智创新、协同攻关、传承技能、培育精神等作用，带动本地区、本行业、本单位群众性技术创新和职工技能素质提升的情况。推荐示范性劳模创新工作室的，另附反映工作室特点和成果的宣传视频（短片），并写明命名为无锡市劳模创新工作室的时间；特别优秀直接推荐的，写明理由。
九、单位意见
所在单位党政组织同意推荐的意见（盖章），所在单位工会意见，推荐单位工会意见（盖章）。
十、照片
创新工作室领衔人标准照1张、团队成员合影1张、工作室内部场景照和成员工作照3至5张，电子版随推荐材料报送，照片文件名注明内容。
"""
# The Chinese names of the template fields (documents.fields) and the document parts.
DOCUMENT_TEXT: dict[str, str] = {
    "attachment_mark": "附件",
    "public_attachment": "{names}拟命名名单",
    "naming_attachment": "{names}名单",
    "naming_number": "{code}〔{year}〕{number}号",
    "number_blank": "\u3000\u3000",
    "period": "{first}至{last}",
    "period_unset": "\u3000\u3000年\u3000\u3000月\u3000\u3000日至\u3000\u3000年\u3000\u3000月\u3000\u3000日",
    "date_unset": "\u3000\u3000年\u3000\u3000月\u3000\u3000日",
    "office": "{organiser}办公室",
    "copy_to": "抄送：{names}",
    "printed": "{date}印发",
    "category_heading": "{ordinal}、{what}（{n}个）",
    "union_heading": "（{ordinal}）{union}（{n}个）",
    "list_item": "{seq}．{studio}（{host_unit}）",
    "table_headers": "序号|工作室名称|所在单位|领衔人",
    "incomplete": "说明：本文件所列名单不完整。{details}。导出理由：{reason}",
    "incomplete_item": "{short}类审定通过{approved}个，应审定{places}个，待定{open}个",
}
DOCUMENT_MESSAGES: dict[str, str] = {
    "template_field": "模板 {file} 中有未知的名称 {{{name}}}（可用：{known}）",
    "template_unreadable": "模板 {file} 无法读取：{why}",
}

# ---------------------------------------------------------------------------- the next round and the registry (workbench/next_round.py, workbench/registry.py)
NEXT_ROUND: dict[str, str] = {
    "header": "# 由 {old} 年的配置生成（workbench new-round）：届次、日期已顺延一年，截止时间待新通知确认后改 deadline_confirmed = true。\n",
    "deadline_note": "# 待确认：截止时间由 {old} 年顺延一年而来（顺延后为星期{weekday}），请按本年通知填写后把 deadline_confirmed 改为 true。",
    "year_not_after": "新一轮的年度 {year} 须晚于原配置的年度 {old}",
    "exists": "{path} 已存在，未覆盖（确需覆盖请加 --force）",
    "written": "已生成 {year} 年的评审轮次配置：{path}（截止时间待确认）",
}
REGISTRY_TEXT: dict[str, str] = {
    "naming_date_missing": "配置中未填写命名日期（documents.naming_date），无法登记命名时间",
    "added": "已将本轮命名的 {n} 个工作室登记到已命名工作室名录：{path}",
    "none_added": "已命名工作室名录中已有本轮命名的工作室，未重复登记：{path}",
    "no_approvals": "会议尚未记录“通过”的决定，没有可登记的命名工作室。",
    "ask": "是否将本轮命名的 {n} 个工作室登记到已命名工作室名录（{path}）？",
    "hint": "提示：本轮命名的工作室尚未登记到已命名工作室名录；命名通知印发后，请运行 workbench registry add-named（或 export --add-named）。",
}
# The paper columns of the receipt register (inbox/收件登记.csv; workbench/intake/paper.py): first name is the label.
RECEIPT_PAPER_HEADERS: dict[str, list[str]] = {
    "studio": ["工作室名称", "studio", "工作室"],
    "paper_copies": ["纸质份数", "paper_copies", "份数"],
    "paper_bound": ["装订成册", "bound", "paper_bound"],
    "paper_sealed": ["盖章", "sealed", "paper_sealed", "加盖公章"],
    "party_consent": ["党政组织同意", "party_consent", "单位党政组织同意"],
}
