"""The import template: the data sheet (党员信息) with drop-downs for coded columns, the
instructions sheet (说明) and the code lists the drop-downs point at (代码表)."""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import columns as C

VALIDATION_ROWS = 20_001  # drop-downs cover this many rows below the header
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
REQUIRED_FILL = PatternFill("solid", fgColor="E6B8B7")

RULES = [
    "一、每行一名党员；第1行为表头，不要修改表头文字，可调整列的顺序，可删除非必填列。",
    "二、必填列：姓名、公民身份号码、学历、工作岗位、入党日期、人员类别、所在党组织（或组织代码）。表头深色的列为必填。",
    "三、身份证号须为文本格式（模板已设置）；末位x会自动转为X；15位旧号码会自动升为18位；性别、出生日期必须与身份证号一致，可留空自动填写。",
    "四、日期填写 YYYY-MM-DD（如 1985-07-01），也可填Excel日期、1985/7/1、1985年7月1日、19850701；必须是真实存在的日期（如 2023-02-29 不存在）。",
    "五、带下拉箭头的列请从下拉列表选择；可选值见“代码表”工作表。党员类别可填多个，用“、”分隔。",
    "六、所在党组织：填写组织代码，或从县委起的完整名称路径，用“/”分隔，如：中共示范县委员会/某镇党委/某村党支部。系统不会新建组织，找不到的组织会报错。只能导入到您有维护权限的组织。",
    "七、不能导入：公式、宏、合并单元格、含数据的隐藏工作表、加密（设置打开密码）的文件、旧版 .xls 文件。单元格前后的空格会自动去除，全角数字会自动转为半角。",
    "八、导入分两步：先“预览”检查每一行（列出行号、列名、填写值和规则），全部无误后再“确认导入”；任一行有错则一行都不写入。",
    "九、身份证号已在系统中（且在您的管理范围内）的党员按本文件更新信息；所在党组织和党籍状态的变更请在系统中办理（组织关系调整、党籍状态变更）。",
]


def write_template(stream=None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = C.DATA_SHEET
    help_ws = wb.create_sheet(C.HELP_SHEET)
    codes_ws = wb.create_sheet(C.CODES_SHEET)

    # Code lists, one column per coded column, referenced by the drop-downs.
    list_ranges = {}
    code_col = 0
    for col in C.COLUMNS:
        if not col.choices:
            continue
        code_col += 1
        letter = get_column_letter(code_col)
        labels = [label for _code, label in col.choices if label]
        if col.key == "degree":
            labels.append("无")
        codes_ws.cell(row=1, column=code_col, value=col.header).font = Font(bold=True)
        for i, label in enumerate(labels, start=2):
            codes_ws.cell(row=i, column=code_col, value=label)
        codes_ws.column_dimensions[letter].width = 18
        list_ranges[col.key] = f"'{C.CODES_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"

    for idx, col in enumerate(C.COLUMNS, start=1):
        letter = get_column_letter(idx)
        cell = ws.cell(row=1, column=idx, value=col.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        required = col.required or col.key == "org"
        cell.fill = REQUIRED_FILL if required else HEADER_FILL
        if col.help:
            cell.comment = Comment(col.help, "dangjian")
        ws.column_dimensions[letter].width = col.width
        if col.kind in ("id_number", "phone", "org_code"):
            ws.column_dimensions[letter].number_format = "@"
        elif col.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if col.key in list_ranges and col.kind == "choice":
            dv = DataValidation(type="list", formula1=list_ranges[col.key], allow_blank=True, showErrorMessage=True)
            dv.error = f"请从下拉列表选择{col.header}"
            dv.errorTitle = "取值无效"
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)
        elif col.kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=False)
            dv.prompt = "格式：YYYY-MM-DD"
            dv.showInputMessage = True
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30

    help_ws.column_dimensions["A"].width = 16
    help_ws.column_dimensions["B"].width = 10
    help_ws.column_dimensions["C"].width = 40
    help_ws.column_dimensions["D"].width = 70
    help_ws.append(["党员信息导入模板 · 填写说明"])
    help_ws["A1"].font = Font(bold=True, size=14)
    for line in RULES:
        help_ws.append([line])
    help_ws.append([])
    help_ws.append(["列名", "是否必填", "也可使用的列名", "填写要求"])
    for c in help_ws[help_ws.max_row]:
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
    for col in C.COLUMNS:
        rule = col.help
        if col.choices and col.kind == "choice":
            options = "、".join(label for _c, label in col.choices if label)
            rule = f"{rule}；可选：{options}" if rule else f"可选：{options}"
        required = "必填" if col.required or col.key == "org" else ""
        if col.key == "org":
            required = "必填（或填组织代码）"
        help_ws.append([col.header, required, "、".join(col.aliases), rule])
        help_ws.cell(row=help_ws.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    help_ws.append([])
    help_ws.append(["示例", "", "", "李芳 | 女 | 汉族 | 1949-12-31 | 11010519491231002X | … | 中共示范县委员会/城关镇党委/东街社区党支部"])

    out = stream or io.BytesIO()
    wb.save(out)
    if hasattr(out, "seek"):
        out.seek(0)
    return out
